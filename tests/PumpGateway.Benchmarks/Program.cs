using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(PumpGateway.Benchmarks.DexcomDecodeBenchmarks).Assembly).Run(args);
