using PumpGateway.Fuzz;
using SharpFuzz;

// `PumpGateway.Fuzz TARGET` under afl-fuzz (scripts/fuzz instruments and starts it);
// `PumpGateway.Fuzz TARGET FILE...` runs the target once on each file, as a crash is replayed.
if (args.Length == 0 || FuzzTargets.Find(args[0]) is not { } target)
{
    await Console.Error.WriteLineAsync($"usage: PumpGateway.Fuzz TARGET [FILE...]; targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}");
    return 2;
}

if (args.Length > 1)
{
    foreach (var file in args[1..])
    {
        target.Run(await File.ReadAllBytesAsync(file));
        Console.WriteLine($"{file}: decoded or rejected with the typed error");
    }

    return 0;
}

Fuzzer.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target.Run(buffer.ToArray());
});
return 0;
