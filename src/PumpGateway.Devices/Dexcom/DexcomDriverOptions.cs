namespace PumpGateway.Devices.Dexcom;

public sealed record DexcomDriverOptions
{
    /// <summary>A receiver has no notifications over USB: it is read again this often after the first download.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait for a whole reply. dexcom_reader and Tidepool use about 1 s on USB.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Retries of one exchange after the first attempt (NAK, bad CRC, silence).</summary>
    public int Retries { get; init; } = 3;

    /// <summary>Pages asked for in one READ_DATABASE_PAGES: three 528-byte pages are the most a 1584-byte reply payload holds.</summary>
    public byte PagesPerRequest { get; init; } = 3;

    /// <summary>A receiver clock further than this from the gateway's is reported as a finding.</summary>
    public TimeSpan ClockOffsetWarning { get; init; } = TimeSpan.FromMinutes(5);
}
