namespace PumpGateway.Cli.Tests;

/// <summary>
/// Runs the pumpgw command tree inside the test process with the console captured. Tests that use
/// it belong to the "Console" collection, as the console is one per process.
/// </summary>
internal static class InProcessPumpgw
{
    public static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var (originalOut, originalError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var exit = await PumpgwCommand.Create().Parse(args).InvokeAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
        }
    }
}
