using Microsoft.Extensions.Logging;
using PumpGateway.Ports;

namespace PumpGateway.Devices.Medtronic;

/// <summary>
/// One pump over the air through the stick. A Paradigm listens only for the minutes a
/// PowerControl asked for: the radio is woken again before that runs out, and once more when the
/// pump stops answering (it may have slept early, or been out of range), before giving up.
/// </summary>
internal sealed partial class ParadigmRadio
{
    /// <summary>Wake the radio again this long before the minutes asked for run out.</summary>
    private static readonly TimeSpan WakeAhead = TimeSpan.FromMinutes(2);

    private readonly CareLinkLink _link;
    private readonly TimeProvider _clock;
    private readonly byte _radioOnMinutes;
    private readonly ILogger _logger;
    private DateTimeOffset _awakeUntil;

    private ParadigmRadio(CareLinkLink link, string pump, TimeProvider clock, byte radioOnMinutes, ILogger logger)
    {
        _link = link;
        Pump = pump;
        _clock = clock;
        _radioOnMinutes = radioOnMinutes;
        _logger = logger;
    }

    public string Pump { get; }

    /// <summary>Wakes <paramref name="pump"/>; null when it does not answer with its own serial.</summary>
    public static async Task<ParadigmRadio?> WakeAsync(CareLinkLink link, string pump, TimeProvider clock, byte radioOnMinutes, ILogger logger, CancellationToken cancellationToken)
    {
        var radio = new ParadigmRadio(link, pump, clock, radioOnMinutes, logger);
        await radio.WakeAsync(cancellationToken);
        var answered = ParadigmReplies.DecodePumpId(await link.PumpAsync(ParadigmCommands.Read(pump, ParadigmCommandCode.ReadPumpId), cancellationToken));
        return answered == pump ? radio : null;
    }

    public Task<byte[]> ReadAsync(ParadigmCommandCode code, CancellationToken cancellationToken) =>
        SendAsync(ParadigmCommands.Read(Pump, code), cancellationToken);

    public async Task<byte[]> SendAsync(ParadigmCommand command, CancellationToken cancellationToken)
    {
        if (_clock.GetUtcNow() >= _awakeUntil - WakeAhead)
        {
            await WakeAsync(cancellationToken);
        }

        try
        {
            return await _link.PumpAsync(command, cancellationToken);
        }
        catch (DeviceSessionException ex)
        {
            LogRewake(command.Code.ToString(), ex.Message);
            await WakeAsync(cancellationToken);
            return await _link.PumpAsync(command, cancellationToken);
        }
    }

    private async Task WakeAsync(CancellationToken cancellationToken)
    {
        var sent = _clock.GetUtcNow();
        await _link.PumpAsync(ParadigmCommands.PowerControl(Pump, _radioOnMinutes), cancellationToken);
        _awakeUntil = sent + TimeSpan.FromMinutes(_radioOnMinutes);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The pump did not answer {Command}: waking its radio and asking once more ({Failure})")]
    private partial void LogRewake(string command, string failure);
}
