using PumpGateway.Devices.Cgms;
using PumpGateway.Devices.Ids;
using PumpGateway.Fakes.Cgms;
using PumpGateway.Fakes.Ids;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Telemetry;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests.Clinical;

/// <summary>
/// Fourteen days of one wearer, downloaded once: an IDS pump and a CGMS sensor of the same wearer
/// (one simulation: the glucose follows the insulin), both on the BlueZ loopback, both keeping UTC,
/// read by the real gateway whose clinic keeps UTC too. The scenario runs from a midnight to the
/// midnight 14 days later (and a minute more, so that the pump writes the last day's total at that
/// midnight); the report period is exactly those 14 days.
/// </summary>
/// <remarks>
/// Seed 2 with about one unscripted alarm a week: its sets are changed after 3 d 22.6 h, 3 d 23.7 h
/// (a 4-day-old set) and 4 d 0.2 h (one past 4 days), then 2 days before the end; two "no delivery"
/// alarms and a low battery. The tests check these facts of the scenario before they rely on them.
/// </remarks>
public sealed class FourteenDaysFixture : IAsyncLifetime
{
    public const int Seed = 2;
    public const int Days = 14;

    private readonly string _folder = Directory.CreateTempSubdirectory("pumpgw-clinical-").FullName;
    private BluetoothBench? _bench;
    private IdsPumpEmulator? _pump;
    private CgmsSensorEmulator? _sensor;
    private TestGateway? _gateway;

    public DateTime Start { get; } = ByHand.MidnightDaysAgo(Days);

    public DateTimeOffset From => ByHand.Utc(Start);

    public DateTimeOffset To => From.AddDays(Days);

    public Wearer Wearer { get; private set; } = null!;

    internal TestGateway Gateway => _gateway!;

    public string PumpId { get; private set; } = "";

    public string SensorId { get; private set; } = "";

    /// <summary>Ground truth: what the sensor stores (the wearer's samples after the two-hour warm-up).</summary>
    public IReadOnlyList<CgmMeasurement> SensorRecords => _sensor!.Records;

    public DateTimeOffset SensorSessionStart => _sensor!.SessionStartUtc;

    public IReadOnlyList<TherapyEvent> Therapy => Wearer.Therapy.Events;

    public async Task InitializeAsync()
    {
        Wearer = new Wearer(new TherapyScenarioOptions
        {
            Seed = Seed,
            Start = Start,
            Duration = TimeSpan.FromDays(Days) + TimeSpan.FromMinutes(1),
            RandomAlarmsPerWeek = 1,
        });
        using var cancel = new CancellationTokenSource(ClinicGateway.Timeout);
        _bench = await BluetoothBench.StartAsync().WaitAsync(cancel.Token);
        _pump = await IdsPumpEmulator.StartAsync(
            _bench.Bus.Address,
            Wearer.Therapy,
            new IdsPumpOptions { LocalName = "Pump clinical-14", SerialNumber = "SN-CLINICAL-14", TimeScale = 0, UtcOffset = TimeSpan.Zero },
            cancellationToken: cancel.Token).WaitAsync(cancel.Token);
        _sensor = await CgmsSensorEmulator.StartAsync(
            _bench.Bus.Address,
            Wearer.Glucose,
            new CgmsSensorOptions { LocalName = "CGM clinical-14", SerialNumber = "CGM-CLINICAL-14", UtcOffset = TimeSpan.Zero, SessionLength = TimeSpan.FromDays(Days + 1) },
            cancellationToken: cancel.Token).WaitAsync(cancel.Token);
        _gateway = await ClinicGateway.BluetoothAsync(_folder, _bench.Bus.Address).WaitAsync(cancel.Token);

        var pump = await ClinicGateway.CursorReachedAsync(Gateway, IdsDriver.FamilyName, "history", _pump.History[^1].SequenceNumber, cancel.Token);
        PumpId = pump.DeviceId;

        // The sensor's cursor: the session (its start in minutes since 1970) above the last record's offset.
        var sessionKey = _sensor.SessionStartUtc.ToUnixTimeSeconds() / 60;
        var sensor = await ClinicGateway.CursorReachedAsync(Gateway, CgmsDriver.FamilyName, "cgm", (sessionKey << 16) | _sensor.Records[^1].TimeOffsetMinutes, cancel.Token);
        SensorId = sensor.DeviceId;
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_sensor is not null)
        {
            await _sensor.DisposeAsync();
        }

        if (_pump is not null)
        {
            await _pump.DisposeAsync();
        }

        if (_bench is not null)
        {
            await _bench.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The sensor's readings as the wearer lived them: value and true UTC (the sensor keeps UTC, offsets in whole minutes from its session start).</summary>
    public List<(DateTimeOffset Utc, double MgDl)> SensorReadings() =>
        [.. SensorRecords.Select(r => (SensorSessionStart.AddMinutes(r.TimeOffsetMinutes), (double)r.GlucoseMgDl.ToDecimal()!.Value))];

    /// <summary>When the gateway should see each set change of this IDS pump (see <see cref="IdsSetChanges"/>).</summary>
    public List<DateTimeOffset> SetChanges() => IdsSetChanges(Therapy);

    /// <summary>
    /// The IDS records no rewind and no "reservoir filled": a set change shows as the reservoir level
    /// rising (the new reservoir, more than 1 U above the last level the pump reported) and the tubing
    /// and cannula primes, steps minutes apart. The first change of a history has no level before it,
    /// so it starts at its tubing prime.
    /// </summary>
    public static List<DateTimeOffset> IdsSetChanges(IEnumerable<TherapyEvent> therapy)
    {
        var steps = new List<DateTime>();
        decimal? level = null;
        foreach (var e in therapy)
        {
            switch (e)
            {
                case ReservoirFilled filled:
                    if (level is { } before && ByHand.Sfloat(filled.Units) > before + 1)
                    {
                        steps.Add(filled.Time);
                    }

                    level = ByHand.Sfloat(filled.Units);
                    break;
                case ReservoirLevel reported:
                    level = ByHand.Sfloat(reported.Units);
                    break;
                case Primed primed:
                    steps.Add(primed.Time);
                    break;
            }
        }

        var changes = new List<DateTimeOffset>();
        for (var i = 0; i < steps.Count; i++)
        {
            if (i == 0 || steps[i] - steps[i - 1] > TimeSpan.FromMinutes(30))
            {
                changes.Add(ByHand.Utc(steps[i]));
            }
        }

        return changes;
    }

    /// <summary>Stretches without delivery: each suspension to its resume (null while still suspended).</summary>
    public static List<(DateTimeOffset From, DateTimeOffset? To)> Suspensions(IEnumerable<TherapyEvent> therapy)
    {
        var stops = new List<(DateTimeOffset From, DateTimeOffset? To)>();
        foreach (var e in therapy)
        {
            if (e is DeliverySuspended suspended)
            {
                stops.Add((ByHand.Utc(suspended.Time), null));
            }
            else if (e is DeliveryResumed resumed)
            {
                stops[^1] = (stops[^1].From, ByHand.Utc(resumed.Time));
            }
        }

        return stops;
    }

    /// <summary>The reservoir levels an IDS pump reports in its history, at its SFLOAT resolution.</summary>
    public static List<(DateTimeOffset Utc, double Value)> IdsReservoirLevels(IEnumerable<TherapyEvent> therapy)
    {
        var levels = new List<(DateTimeOffset Utc, double Value)>();
        foreach (var e in therapy)
        {
            if (e is ReservoirFilled filled)
            {
                levels.Add((ByHand.Utc(filled.Time), (double)ByHand.Sfloat(filled.Units)));
            }
            else if (e is ReservoirLevel level)
            {
                levels.Add((ByHand.Utc(level.Time), (double)ByHand.Sfloat(level.Units)));
            }
        }

        return levels;
    }

    /// <summary>
    /// The alarm kind an IDS annunciation reads as: the IDS has types for occlusion, reservoir and
    /// battery levels and a detached set; "no delivery" is the drive's mechanical issue, and auto-off
    /// and pump errors are system issues, both a pump error on the gateway's taxonomy.
    /// </summary>
    public static Proto.Alarm.Types.Kind IdsKind(AlarmKind kind) => kind switch
    {
        AlarmKind.Occlusion => Proto.Alarm.Types.Kind.Occlusion,
        AlarmKind.ReservoirLow => Proto.Alarm.Types.Kind.ReservoirLow,
        AlarmKind.ReservoirEmpty => Proto.Alarm.Types.Kind.ReservoirEmpty,
        AlarmKind.BatteryLow => Proto.Alarm.Types.Kind.BatteryLow,
        AlarmKind.BatteryEmpty => Proto.Alarm.Types.Kind.BatteryEmpty,
        AlarmKind.InfusionSetDetached => Proto.Alarm.Types.Kind.InfusionSetDetached,
        AlarmKind.NoDelivery or AlarmKind.AutoOff or AlarmKind.PumpError => Proto.Alarm.Types.Kind.PumpError,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an alarm this scenario raises"),
    };
}
