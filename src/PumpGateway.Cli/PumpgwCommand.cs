using System.CommandLine;
using PumpGateway.Cli.Commands;

namespace PumpGateway.Cli;

/// <summary>The <c>pumpgw</c> command tree.</summary>
internal static class PumpgwCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("pumpgw: the PumpGateway command line. Reads pumps and CGMs; never changes therapy.");
        root.Add(DemoCommand.Create());
        root.Add(ClientCommands.Devices());
        root.Add(ClientCommands.Download());
        root.Add(ClientCommands.Tail());
        root.Add(SummaryCommand.Create());
        root.Add(ClientCommands.History());
        root.Add(DiagnosticsCommands.Diagnose());
        root.Add(DiagnosticsCommands.Alarms());
        root.Add(DecodeCommand.Create());
        root.Add(BlueZLoopbackCommand.Create());
        root.Add(EmulateCommand.Create());
        return root;
    }
}
