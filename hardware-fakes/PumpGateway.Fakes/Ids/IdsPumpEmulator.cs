using System.Buffers.Binary;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PumpGateway.Codecs;
using PumpGateway.Devices.Gatt;
using PumpGateway.Devices.Ids;
using PumpGateway.Fakes.BlueZ;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Ports;
using PumpGateway.Transports.Bluetooth;

namespace PumpGateway.Fakes.Ids;

/// <summary>A hand-raised annunciation: its instance id, and when it left as an indication (null when no central listened).</summary>
public sealed record IdsRaisedAnnunciation(ushort InstanceId, DateTimeOffset? IndicatedAt);

/// <summary>
/// An insulin pump speaking the Insulin Delivery Service as a BlueZ GATT application: Device
/// Information, Battery and every IDS characteristic, its history recorded from a therapy
/// scenario (<see cref="IdsPumpHistory"/>) and continued live. Control-point requests are queued
/// and answered by indication after the write returned, one at a time per control point; with
/// E2E protection every write's CRC and counter are checked and every value sent carries its
/// own. The pump only reads: no code path here changes delivery, every Command Control Point op
/// code that is not a read is refused and kept in <see cref="RefusedCommands"/>.
/// </summary>
public sealed partial class IdsPumpEmulator : IGattPeripheralHandler, IAsyncDisposable
{
    /// <summary>GAP appearance "Insulin Pump".</summary>
    public const ushort Appearance = 0x0D40;

    private static readonly GattCharacteristicId BatteryLevel = new(DeviceInformationUuids.BatteryService, DeviceInformationUuids.BatteryLevel);
    private static readonly IdsCharacteristic[] ControlPoints = [IdsCharacteristic.RecordAccessControlPoint, IdsCharacteristic.StatusReaderControlPoint, IdsCharacteristic.CommandControlPoint];

    private readonly Lock _gate = new();
    private readonly Lock _sendGate = new();
    private readonly Lock _receiveGate = new();
    private readonly IdsPumpOptions _options;
    private readonly IdsDialect _dialect;
    private readonly TherapyScenario _scenario;
    private readonly IdsPumpHistory _history;
    private readonly IdsE2eCounter _received = new();
    private readonly IdsE2eCounter _sent = new();
    private readonly HashSet<GattCharacteristicId> _notifying = [];
    private readonly List<byte[]> _refused = [];
    private readonly Dictionary<IdsCharacteristic, Channel<byte[]>> _requests;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private readonly List<Task> _tasks = [];
    private Func<GattCharacteristicId, byte[], bool> _notify = (_, _) => false;
    private GattPeripheral? _peripheral;
    private volatile bool _racpAbort;
    private int _recordedEvents;

    /// <summary>
    /// What changed since the central connected: the Status Changed value. The specification keeps
    /// a bit set until the client clears it with Reset Status, which a read-only collector never
    /// sends; a new connection starts clear instead.
    /// </summary>
    private IdsStatusChangedFlags _changedSinceConnection;
    private int _disposed;

    private IdsPumpEmulator(TherapyScenario scenario, IdsPumpOptions options, ILogger logger)
    {
        options.Validate();
        _scenario = scenario;
        _options = options;
        _dialect = options.Dialect;
        _logger = logger;
        _requests = ControlPoints.ToDictionary(c => c, _ => Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true }));
        var events = scenario.Events;
        _history = IdsPumpHistory.Of(events, options);
        _recordedEvents = events.Count;
    }

    public IdsPumpOptions Options => _options;

    public TherapyScenario Scenario => _scenario;

    public GattPeripheral Peripheral => _peripheral ?? throw new InvalidOperationException("Not started on a bus.");

    /// <summary>Ground truth: every history event the pump stores, in sequence order.</summary>
    public IReadOnlyList<IdsHistoryEvent> History => [.. HistoryEntries.Select(e => e.Event)];

    /// <summary>Ground truth: every history event with the scenario event it records.</summary>
    public IReadOnlyList<IdsHistoryEntry> HistoryEntries
    {
        get
        {
            lock (_gate)
            {
                return _history.Entries;
            }
        }
    }

    /// <summary>Every value written to the Command Control Point whose op code is not a read, in order: what a collector must never send.</summary>
    public IReadOnlyList<byte[]> RefusedCommands
    {
        get
        {
            lock (_refused)
            {
                return [.. _refused.Select(v => v.ToArray())];
            }
        }
    }

    /// <summary>
    /// Whether a write ever changed delivery. False by construction: the emulator holds the
    /// scenario, which takes nothing but the passing of time, and the Command Control Point
    /// dispatches only the read requests the codec decodes; every other op code is refused.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "A property of this pump, whose answer no instance can change.")]
    public bool EverChangedTherapy => false;

    /// <summary>The characteristic of the IDS (or the generic RACP, in a dialect that uses it).</summary>
    public static GattCharacteristicId Characteristic(IdsCharacteristic characteristic, IdsDialect dialect) =>
        new(IdsUuids.InsulinDeliveryService, IdsUuids.Of(characteristic, dialect));

    /// <summary>Starts the pump on the bus with the history of <paramref name="scenario"/> so far; the live loop runs unless <see cref="IdsPumpOptions.TimeScale"/> is 0.</summary>
    public static async Task<IdsPumpEmulator> StartAsync(string? busAddress, TherapyScenario scenario, IdsPumpOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var emulator = new IdsPumpEmulator(scenario, options ?? new IdsPumpOptions(), logger ?? NullLogger.Instance);
        try
        {
            emulator._peripheral = await GattPeripheral.StartAsync(busAddress, emulator.Definition(), emulator, logger, cancellationToken);
            emulator._notify = emulator._peripheral.Notify;
            emulator.Run();
            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>The pump without a bus: what it would notify goes to <paramref name="notify"/> (tests of the GATT handler itself).</summary>
    internal static IdsPumpEmulator StartDetached(TherapyScenario scenario, IdsPumpOptions options, Func<GattCharacteristicId, byte[], bool> notify)
    {
        var emulator = new IdsPumpEmulator(scenario, options, NullLogger.Instance) { _notify = notify };
        emulator.Run();
        return emulator;
    }

    public GattPeripheralDefinition Definition()
    {
        GattCharacteristicDefinition Ids(IdsCharacteristic characteristic, params string[] flags) => new(IdsUuids.Of(characteristic, _dialect), flags);
        return new(
            _options.LocalName,
            [IdsUuids.InsulinDeliveryService],
            [
                new GattServiceDefinition(IdsUuids.InsulinDeliveryService, [
                    Ids(IdsCharacteristic.StatusChanged, "read", "indicate"),
                    Ids(IdsCharacteristic.Status, "read", "indicate"),
                    Ids(IdsCharacteristic.AnnunciationStatus, "read", "indicate"),
                    Ids(IdsCharacteristic.Features, "read"),
                    Ids(IdsCharacteristic.StatusReaderControlPoint, "write", "indicate"),
                    Ids(IdsCharacteristic.CommandControlPoint, "write", "indicate"),
                    Ids(IdsCharacteristic.CommandData, "notify"),
                    Ids(IdsCharacteristic.RecordAccessControlPoint, "write", "indicate"),
                    Ids(IdsCharacteristic.HistoryData, "notify"),
                ]),
                new GattServiceDefinition(DeviceInformationUuids.DeviceInformationService, [
                    new GattCharacteristicDefinition(DeviceInformationUuids.ManufacturerNameString, "read"),
                    new GattCharacteristicDefinition(DeviceInformationUuids.ModelNumberString, "read"),
                    new GattCharacteristicDefinition(DeviceInformationUuids.SerialNumberString, "read"),
                    new GattCharacteristicDefinition(DeviceInformationUuids.FirmwareRevisionString, "read"),
                    new GattCharacteristicDefinition(DeviceInformationUuids.HardwareRevisionString, "read"),
                    new GattCharacteristicDefinition(DeviceInformationUuids.SoftwareRevisionString, "read"),
                    new GattCharacteristicDefinition(DeviceInformationUuids.SystemId, "read"),
                ]),
                new GattServiceDefinition(DeviceInformationUuids.BatteryService, [
                    new GattCharacteristicDefinition(DeviceInformationUuids.BatteryLevel, "read", "notify"),
                ]),
            ])
        {
            Appearance = Appearance,
        };
    }

    /// <summary>
    /// Raises an annunciation now, records it in the history and indicates it (IDD Annunciation
    /// Status, then IDD Status Changed) to a subscribed central.
    /// </summary>
    public IdsRaisedAnnunciation RaiseAnnunciation(IdsAnnunciationType type)
    {
        IdsHistoryChange change;
        ushort instanceId;
        lock (_gate)
        {
            (instanceId, change) = _history.RaiseAnnunciation(type, _scenario.Status.Time);
        }

        return new IdsRaisedAnnunciation(instanceId, Announce(change));
    }

    /// <summary>The wearer snoozed an open annunciation; false when none is open with that id.</summary>
    public bool SnoozeAnnunciation(ushort instanceId) => ChangeAnnunciation(instanceId, IdsAnnunciationState.Snoozed);

    /// <summary>The wearer confirmed (cleared) an open annunciation; false when none is open with that id.</summary>
    public bool ConfirmAnnunciation(ushort instanceId) => ChangeAnnunciation(instanceId, IdsAnnunciationState.Confirmed);

    /// <summary>
    /// Continues the scenario up to <paramref name="scenarioTime"/> (on its axis), records what
    /// happened and indicates the changes; the live loop calls it as the real clock runs. Returns
    /// the history events added.
    /// </summary>
    public IReadOnlyList<IdsHistoryEntry> AdvanceTo(DateTime scenarioTime)
    {
        var changes = new List<IdsHistoryChange>();
        lock (_gate)
        {
            // The wearer may be shared (a CGM emulator advancing the same simulation): whoever
            // advanced it, every therapy event not yet recorded is recorded now, in order.
            _scenario.AdvanceTo(scenarioTime);
            var events = _scenario.Events;
            for (; _recordedEvents < events.Count; _recordedEvents++)
            {
                changes.Add(_history.Record(events[_recordedEvents]));
            }
        }

        var change = new IdsHistoryChange(
            [.. changes.SelectMany(c => c.Entries)],
            changes.Aggregate(IdsStatusChangedFlags.None, (flags, c) => flags | c.Flags),
            [.. changes.SelectMany(c => c.RaisedAnnunciations)],
            changes.Exists(c => c.BatteryChanged));
        Announce(change);
        return change.Entries;
    }

    public async ValueTask<byte[]> ReadAsync(GattCharacteristicId characteristic, CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (characteristic.Service == DeviceInformationUuids.DeviceInformationService)
        {
            return ReadDeviceInformation(characteristic.Characteristic);
        }

        if (characteristic == BatteryLevel)
        {
            return DeviceInformationCodec.EncodeBatteryLevel((byte)Math.Clamp(_scenario.Status.BatteryPercent, 0, 100));
        }

        return IdsCharacteristicOf(characteristic) switch
        {
            IdsCharacteristic.StatusChanged => Sealed(IdsCharacteristic.StatusChanged, counter => IdsStatusChangedCodec.Encode(new IdsStatusChanged(_changedSinceConnection) { E2eCounter = counter }, _dialect)),
            IdsCharacteristic.Status => Sealed(IdsCharacteristic.Status, counter => IdsStatusCodec.Encode(CurrentStatus() with { E2eCounter = counter }, _dialect)),
            IdsCharacteristic.AnnunciationStatus => Sealed(IdsCharacteristic.AnnunciationStatus, counter => IdsAnnunciationStatusCodec.Encode(CurrentAnnunciation() with { E2eCounter = counter }, _dialect)),
            IdsCharacteristic.Features => Sealed(IdsCharacteristic.Features, counter => IdsFeaturesCodec.Encode(Features(counter ?? 0), _dialect)),
            _ => throw new GattErrorException(BlueZNames.ErrorNotPermitted, $"{characteristic} is not readable"),
        };
    }

    public ValueTask WriteAsync(GattCharacteristicId characteristic, byte[] value, CancellationToken cancellationToken)
    {
        var controlPoint = IdsCharacteristicOf(characteristic);
        if (controlPoint is not { } written || !_requests.TryGetValue(written, out var queue))
        {
            throw new GattErrorException(BlueZNames.ErrorNotPermitted, $"{characteristic} is not written by a read-only collector");
        }

        if (written == IdsCharacteristic.CommandControlPoint && !IsCommandRead(value))
        {
            lock (_refused)
            {
                _refused.Add(value.ToArray());
            }
        }

        CheckE2e(written, value);
        if (written == IdsCharacteristic.RecordAccessControlPoint && value.Length > 0 && value[0] == (byte)IdsRacpOpCode.AbortOperation)
        {
            // An abort must reach the transfer it stops, not wait in the queue behind it.
            _racpAbort = true;
        }

        queue.Writer.TryWrite(value);
        return ValueTask.CompletedTask;
    }

    public void OnNotifyingChanged(GattCharacteristicId characteristic, bool notifying)
    {
        if (characteristic == Characteristic(IdsCharacteristic.HistoryData, _dialect))
        {
            // Nobody takes the records any more: a transfer under way ends; a new subscriber starts afresh.
            _racpAbort = !notifying;
        }

        lock (_sendGate)
        {
            if (notifying)
            {
                _notifying.Add(characteristic);
                return;
            }

            _notifying.Remove(characteristic);
            if (_notifying.Count > 0)
            {
                return;
            }
        }

        // Every subscription ended: the central is gone, and the next connection counts from 1 again.
        ResetE2eCounters();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        foreach (var queue in _requests.Values)
        {
            queue.Writer.TryComplete();
        }

        try
        {
            await Task.WhenAll(_tasks);
        }
        catch (OperationCanceledException)
        {
            // Stopped mid-request or mid-tick.
        }

        if (_peripheral is not null)
        {
            await _peripheral.DisposeAsync();
        }

        _stopping.Dispose();
    }

    private void Run()
    {
        foreach (var (controlPoint, queue) in _requests)
        {
            _tasks.Add(Task.Run(() => ProcessRequestsAsync(controlPoint, queue.Reader), CancellationToken.None));
        }

        if (_options.TimeScale > 0)
        {
            _tasks.Add(Task.Run(RunLiveAsync, CancellationToken.None));
        }
    }

    /// <summary>Keeps the scenario at the real clock times the time scale, from where it stood when the pump started.</summary>
    private async Task RunLiveAsync()
    {
        var from = _scenario.Now;
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(_options.LiveTick);
        while (await timer.WaitForNextTickAsync(_stopping.Token))
        {
            var seconds = Math.Floor(clock.Elapsed.TotalSeconds * _options.TimeScale);
            AdvanceTo(from.AddSeconds(seconds));
        }
    }

    private bool ChangeAnnunciation(ushort instanceId, IdsAnnunciationState state)
    {
        IdsHistoryChange? change;
        lock (_gate)
        {
            change = _history.ChangeAnnunciation(instanceId, state, _scenario.Status.Time);
        }

        if (change is null)
        {
            return false;
        }

        Announce(change);
        return true;
    }

    /// <summary>Indicates a change to a subscribed central: each raised annunciation, the status, the flags, the battery. Returns when the first annunciation was sent.</summary>
    private DateTimeOffset? Announce(IdsHistoryChange change)
    {
        DateTimeOffset? indicatedAt = null;
        foreach (var annunciation in change.RaisedAnnunciations)
        {
            var sending = DateTimeOffset.UtcNow;
            if (Send(IdsCharacteristic.AnnunciationStatus, counter => IdsAnnunciationStatusCodec.Encode(new IdsAnnunciationStatus(annunciation) { E2eCounter = counter }, _dialect)))
            {
                indicatedAt ??= sending;
            }
        }

        const IdsStatusChangedFlags StatusFlags = IdsStatusChangedFlags.TherapyControlStateChanged | IdsStatusChangedFlags.OperationalStateChanged | IdsStatusChangedFlags.ReservoirStatusChanged;
        if ((change.Flags & StatusFlags) != 0)
        {
            Send(IdsCharacteristic.Status, counter => IdsStatusCodec.Encode(CurrentStatus() with { E2eCounter = counter }, _dialect));
        }

        if (change.Flags != IdsStatusChangedFlags.None)
        {
            lock (_sendGate)
            {
                _changedSinceConnection |= change.Flags;
            }

            // The indication says what changed this time; a read gives everything since the connection began.
            Send(IdsCharacteristic.StatusChanged, counter => IdsStatusChangedCodec.Encode(new IdsStatusChanged(change.Flags) { E2eCounter = counter }, _dialect));
        }

        if (change.BatteryChanged)
        {
            lock (_sendGate)
            {
                if (_notifying.Contains(BatteryLevel))
                {
                    _notify(BatteryLevel, DeviceInformationCodec.EncodeBatteryLevel((byte)Math.Clamp(_scenario.Status.BatteryPercent, 0, 100)));
                }
            }
        }

        return indicatedAt;
    }

    private IdsStatus CurrentStatus()
    {
        var status = _scenario.Status;
        lock (_gate)
        {
            // With the reservoir out (rewound, not yet filled) there is nothing left to deliver.
            var remaining = _history.ReservoirAttached ? status.ReservoirUnits : 0;
            return new IdsStatus(_history.TherapyControlState, _history.OperationalState, IdsPumpValues.Insulin(remaining, _dialect), _history.ReservoirAttached);
        }
    }

    private IdsAnnunciationStatus CurrentAnnunciation()
    {
        lock (_gate)
        {
            return new IdsAnnunciationStatus(_history.CurrentAnnunciation);
        }
    }

    private IdsFeatures Features(byte counter)
    {
        var flags = IdsFeatureFlags.BasalRateSupported | IdsFeatureFlags.TbrAbsoluteSupported | IdsFeatureFlags.TbrRelativeSupported | IdsFeatureFlags.TbrTemplateSupported
            | IdsFeatureFlags.FastBolusSupported | IdsFeatureFlags.ExtendedBolusSupported | IdsFeatureFlags.MultiwaveBolusSupported | IdsFeatureFlags.BolusTemplateSupported
            | IdsFeatureFlags.BolusActivationTypeSupported | IdsFeatureFlags.InsulinOnBoardSupported
            | (_dialect.E2eProtection ? IdsFeatureFlags.E2eProtectionSupported : IdsFeatureFlags.None);

        // U-100 insulin: 100 IU/mL.
        return new IdsFeatures(counter, MedicalFloat.SFloatOf(100, 0), (ulong)flags);
    }

    private byte[] ReadDeviceInformation(Guid characteristic)
    {
        if (characteristic == DeviceInformationUuids.SystemId)
        {
            return DeviceInformationCodec.EncodeSystemId(SystemId(_options.SerialNumber));
        }

        var text = characteristic switch
        {
            var c when c == DeviceInformationUuids.ManufacturerNameString => _options.Manufacturer,
            var c when c == DeviceInformationUuids.ModelNumberString => _options.Model,
            var c when c == DeviceInformationUuids.SerialNumberString => _options.SerialNumber,
            var c when c == DeviceInformationUuids.FirmwareRevisionString => _options.Firmware,
            var c when c == DeviceInformationUuids.HardwareRevisionString => _options.Hardware,
            var c when c == DeviceInformationUuids.SoftwareRevisionString => _options.Software,
            _ => throw new GattErrorException(BlueZNames.ErrorNotPermitted, "not readable"),
        };
        return DeviceInformationCodec.EncodeString(text);
    }

    /// <summary>A System ID that stays the same for a serial number: 40 bits of its FNV-1a hash under the OUI 50-47-57 ("PGW").</summary>
    internal static GattSystemId SystemId(string serialNumber)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(serialNumber))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return new GattSystemId(hash & 0xFF_FFFF_FFFF, 0x50_47_57);
    }

    private IdsCharacteristic? IdsCharacteristicOf(GattCharacteristicId characteristic)
    {
        if (characteristic.Service != IdsUuids.InsulinDeliveryService)
        {
            return null;
        }

        foreach (var candidate in Enum.GetValues<IdsCharacteristic>())
        {
            if (IdsUuids.Of(candidate, _dialect) == characteristic.Characteristic)
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool IsCommandRead(ReadOnlySpan<byte> value)
    {
        if (value.Length < 2)
        {
            return false;
        }

        var opCode = (IdsCommandOpCode)BinaryPrimitives.ReadUInt16LittleEndian(value);
        return opCode is IdsCommandOpCode.ReadBasalRateProfileTemplate or IdsCommandOpCode.GetTbrTemplate or IdsCommandOpCode.GetAvailableBoluses
            or IdsCommandOpCode.GetBolusTemplate or IdsCommandOpCode.GetTemplateStatusAndDetails or IdsCommandOpCode.GetActivatedProfileTemplates
            or IdsCommandOpCode.ReadIsfProfileTemplate or IdsCommandOpCode.ReadI2ChoRatioProfileTemplate or IdsCommandOpCode.ReadTargetGlucoseRangeProfileTemplate
            or IdsCommandOpCode.GetMaxBolusAmount;
    }

    /// <summary>
    /// The E2E trailer of a write, checked before anything else as the notes require: a bad CRC is
    /// ATT error 0x81, a repeated or skipped counter 0x82; BlueZ reports both as Failed.
    /// </summary>
    private void CheckE2e(IdsCharacteristic characteristic, byte[] value)
    {
        if (!_dialect.E2eProtection)
        {
            return;
        }

        if (value.Length < 3)
        {
            throw new GattErrorException(BlueZNames.ErrorFailed, $"ATT error 0x81: a {value.Length}-byte value has no room for an E2E-Counter and E2E-CRC");
        }

        var stored = BinaryPrimitives.ReadUInt16LittleEndian(value.AsSpan(value.Length - 2));
        var computed = E2eCrc.Compute(value.AsSpan(0, value.Length - 2), _dialect.CrcVariant);
        if (stored != computed)
        {
            throw new GattErrorException(BlueZNames.ErrorFailed, $"ATT error 0x81: E2E-CRC is 0x{stored:x4}, computed 0x{computed:x4}");
        }

        lock (_receiveGate)
        {
            // A refused write takes no effect at all, its counter included: the sequence stays where the last accepted write left it.
            var expected = _received.Expected(characteristic);
            if (value[^3] != expected)
            {
                throw new GattErrorException(BlueZNames.ErrorFailed, $"ATT error 0x82: {characteristic} E2E-Counter is {value[^3]}, expected {expected}");
            }

            _received.Check(characteristic, value[^3]);
        }
    }

    private void ResetE2eCounters()
    {
        lock (_receiveGate)
        {
            _received.Reset();
        }

        lock (_sendGate)
        {
            _sent.Reset();
            _changedSinceConnection = IdsStatusChangedFlags.None;
        }
    }

    /// <summary>A value read by the central: it takes the characteristic's next E2E-Counter like any value sent.</summary>
    private byte[] Sealed(IdsCharacteristic characteristic, Func<byte?, byte[]> encode)
    {
        lock (_sendGate)
        {
            return encode(_dialect.E2eProtection ? _sent.Next(characteristic) : null);
        }
    }

    /// <summary>
    /// Notifies or indicates a value to a subscribed central; false, and no counter spent, when
    /// none is subscribed. The counter is taken and the value sent under one lock, so values
    /// leave in counter order whichever task sends them.
    /// </summary>
    private bool Send(IdsCharacteristic characteristic, Func<byte?, byte[]> encode, bool hasCounter = true)
    {
        var id = Characteristic(characteristic, _dialect);
        lock (_sendGate)
        {
            if (!_notifying.Contains(id))
            {
                return false;
            }

            return _notify(id, encode(hasCounter && _dialect.E2eProtection ? _sent.Next(characteristic) : null));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "IDS pump emulator: a request on {ControlPoint} failed")]
    private partial void LogRequestFailed(Exception exception, IdsCharacteristic controlPoint);
}
