using BenchmarkDotNet.Running;
using PumpGateway.Benchmarks;

// `-- bluetooth`: the end-to-end figures of the Bluetooth path; anything else goes to BenchmarkDotNet.
return args is ["bluetooth", ..]
    ? await BluetoothMeasurements.RunAsync(args)
    : RunBenchmarks(args);

static int RunBenchmarks(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(DexcomDecodeBenchmarks).Assembly).Run(args);
    return 0;
}
