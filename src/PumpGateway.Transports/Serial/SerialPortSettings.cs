namespace PumpGateway.Transports.Serial;

/// <summary>How to open one serial port. DTR and RTS are left alone unless set: on a pseudo-terminal the ioctls fail.</summary>
public sealed record SerialPortSettings(string PortName)
{
    /// <summary>Irrelevant on USB CDC-ACM, but set: some adapters need it.</summary>
    public int BaudRate { get; init; } = 115200;

    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public bool? DtrEnable { get; init; }

    public bool? RtsEnable { get; init; }

    /// <summary>Attempts to reopen a port whose reads failed while its device path is still there.</summary>
    public int MaxReopenAttempts { get; init; } = 3;

    public TimeSpan ReopenDelay { get; init; } = TimeSpan.FromMilliseconds(250);
}
