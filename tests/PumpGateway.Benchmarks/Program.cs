using BenchmarkDotNet.Running;
using PumpGateway.Benchmarks;

// `-- bluetooth` and `-- serial`: the end-to-end figures of each path; `-- summary`: GetSummary over 90 days; anything else goes to BenchmarkDotNet.
return args switch
{
    ["bluetooth", ..] => await BluetoothMeasurements.RunAsync(args),
    ["serial", ..] => await SerialMeasurements.RunAsync(args),
    ["summary", ..] => await SummaryMeasurements.RunAsync(args),
    _ => RunBenchmarks(args),
};

static int RunBenchmarks(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(DexcomDecodeBenchmarks).Assembly).Run(args);
    return 0;
}
