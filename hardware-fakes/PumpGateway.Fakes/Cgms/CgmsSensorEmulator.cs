using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PumpGateway.Codecs;
using PumpGateway.Devices.Cgms;
using PumpGateway.Devices.Gatt;
using PumpGateway.Fakes.BlueZ;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Ports;
using PumpGateway.Protocol;

namespace PumpGateway.Fakes.Cgms;

public sealed record CgmsSensorOptions
{
    /// <summary>The advertised name; the loopback derives the address from it.</summary>
    public string LocalName { get; init; } = "PumpGW CGM 0001";

    public string SerialNumber { get; init; } = "CGM-EMU-0001";

    public string Manufacturer { get; init; } = "PumpGateway Fakes";

    public string Model { get; init; } = "CGMS sensor emulator";

    public string Firmware { get; init; } = "1.2.0";

    /// <summary>Values carry the E2E-CRC (and the Feature says so).</summary>
    public bool E2eCrc { get; init; } = true;

    public E2eCrcVariant CrcVariant { get; init; } = E2eCrcVariant.Specification;

    /// <summary>The sensor's clock zone: its session start is sent as local time with this offset.</summary>
    public TimeSpan UtcOffset { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long a sensor lasts; the stored records are those of the current session.</summary>
    public TimeSpan SessionLength { get; init; } = TimeSpan.FromDays(10);

    /// <summary>No readings for this long after a session starts.</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Measurements packed into one notification when the store is read (real sensors pack a few).</summary>
    public int RecordsPerNotification { get; init; } = 3;

    public byte BatteryPercent { get; init; } = 76;

    /// <summary>Alert levels the annunciations are computed from, mg/dL.</summary>
    public int PatientLow { get; init; } = 70;

    public int PatientHigh { get; init; } = 250;

    public int HypoLevel { get; init; } = 55;

    public int HyperLevel { get; init; } = 350;
}

/// <summary>
/// A CGM sensor speaking the Continuous Glucose Monitoring Service as a BlueZ GATT application:
/// Device Information, Battery, and the CGMS characteristics with a record store and a Record
/// Access Control Point, a Specific Ops Control Point for the reads, and live measurements. Its
/// readings come from a glucose scenario: the current session's samples after warm-up, with the
/// warning annunciations a sensor would raise for them, and two calibrations a day. It refuses
/// every write that would change it and keeps the record of what it was sent.
/// </summary>
public sealed partial class CgmsSensorEmulator : IGattPeripheralHandler, IAsyncDisposable
{
    private static readonly GattCharacteristicId Measurement = new(CgmsUuids.CgmService, CgmsUuids.CgmMeasurement);
    private static readonly GattCharacteristicId Feature = new(CgmsUuids.CgmService, CgmsUuids.CgmFeature);
    private static readonly GattCharacteristicId Status = new(CgmsUuids.CgmService, CgmsUuids.CgmStatus);
    private static readonly GattCharacteristicId SessionStartTime = new(CgmsUuids.CgmService, CgmsUuids.CgmSessionStartTime);
    private static readonly GattCharacteristicId SessionRunTime = new(CgmsUuids.CgmService, CgmsUuids.CgmSessionRunTime);
    private static readonly GattCharacteristicId Racp = new(CgmsUuids.CgmService, CgmsUuids.RecordAccessControlPoint);
    private static readonly GattCharacteristicId SpecificOps = new(CgmsUuids.CgmService, CgmsUuids.CgmSpecificOpsControlPoint);

    private readonly Lock _gate = new();
    private readonly List<CgmMeasurement> _records = [];
    private readonly List<CgmCalibrationValueResponse> _calibrations = [];
    private readonly Channel<(GattCharacteristicId ControlPoint, byte[] Request)> _requests = Channel.CreateUnbounded<(GattCharacteristicId, byte[])>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly CgmsSensorOptions _options;
    private readonly CgmsE2e _e2e;
    private readonly ILogger _logger;
    private readonly DateTime _sessionStartLocal;
    private GattPeripheral? _peripheral;
    private Task _processing = Task.CompletedTask;
    private Task _live = Task.CompletedTask;
    private volatile bool _abort;

    private CgmsSensorEmulator(CgmsSensorOptions options, DateTime sessionStartLocal, ILogger logger)
    {
        _options = options;
        _e2e = new CgmsE2e(options.E2eCrc, options.CrcVariant);
        _sessionStartLocal = sessionStartLocal;
        _logger = logger;
    }

    public CgmsSensorOptions Options => _options;

    /// <summary>The session start on the sensor's clock (local time in <see cref="CgmsSensorOptions.UtcOffset"/>).</summary>
    public DateTime SessionStartLocal => _sessionStartLocal;

    public DateTimeOffset SessionStartUtc => new(_sessionStartLocal, _options.UtcOffset);

    /// <summary>Ground truth: every record the sensor stores, in time order.</summary>
    public IReadOnlyList<CgmMeasurement> Records
    {
        get
        {
            lock (_gate)
            {
                return [.. _records];
            }
        }
    }

    public IReadOnlyList<CgmCalibrationValueResponse> Calibrations
    {
        get
        {
            lock (_gate)
            {
                return [.. _calibrations];
            }
        }
    }

    public GattPeripheral Peripheral => _peripheral ?? throw new InvalidOperationException("Not started.");

    /// <summary>
    /// Starts the sensor on the bus: its session is the last <see cref="CgmsSensorOptions.SessionLength"/>
    /// of <paramref name="scenario"/>'s history (or all of it), its records the samples after warm-up.
    /// </summary>
    public static async Task<CgmsSensorEmulator> StartAsync(string? busAddress, GlucoseScenario scenario, CgmsSensorOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        options ??= new CgmsSensorOptions();
        var history = scenario.History;
        var end = history.Count > 0 ? history[^1].Time : scenario.Options.Start;
        var start = history.Count > 0 && end - history[0].Time > options.SessionLength ? end - options.SessionLength : scenario.Options.Start;
        var emulator = new CgmsSensorEmulator(options, new DateTime(start.Ticks - (start.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Unspecified), logger ?? NullLogger.Instance);
        foreach (var sample in history.Where(s => s.Time >= start))
        {
            emulator.Record(sample, notify: false);
        }

        emulator._processing = Task.Run(emulator.ProcessRequestsAsync, CancellationToken.None);
        try
        {
            emulator._peripheral = await GattPeripheral.StartAsync(busAddress, emulator.Definition(), emulator, logger, cancellationToken);
            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>Takes the scenario's next sample every <paramref name="interval"/> and notifies it, until disposed.</summary>
    public void StartLive(GlucoseScenario scenario, TimeSpan interval)
    {
        _live = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                Record(scenario.NextSample(), notify: true);
            }
        });
    }

    /// <summary>Stores a sample as a measurement and notifies it live when a central listens. Null when the sample falls in warm-up or outside the session.</summary>
    public CgmMeasurement? Record(GlucoseSample sample, bool notify = true)
    {
        var minutes = (sample.Time - _sessionStartLocal).TotalMinutes;
        if (minutes < _options.WarmUp.TotalMinutes || minutes > ushort.MaxValue)
        {
            return null;
        }

        var measurement = new CgmMeasurement(
            MedicalFloat.SFloatOf(sample.MgDl, 0),
            (ushort)minutes,
            null,
            null,
            WarningsFor(sample),
            MedicalFloat.SFloatOf(Math.Round((decimal)sample.RateMgDlPerMin, 1), -1),
            MedicalFloat.SFloatOf(95, 0));
        lock (_gate)
        {
            if (_records.Count > 0 && _records[^1].TimeOffsetMinutes >= measurement.TimeOffsetMinutes)
            {
                return null;
            }

            _records.Add(measurement);
            if ((minutes - _options.WarmUp.TotalMinutes) % (12 * 60) < 5)
            {
                var meter = MedicalFloat.SFloatOf(Math.Clamp(sample.MgDl + ((sample.MgDl % 7) - 3), 20, 600), 0);
                _calibrations.Add(new CgmCalibrationValueResponse(meter, measurement.TimeOffsetMinutes, CgmType.CapillaryWholeBlood, CgmSampleLocation.Finger, (ushort)Math.Min(ushort.MaxValue, minutes + (12 * 60)), (ushort)(_calibrations.Count + 1), CgmCalibrationStatus.None));
            }
        }

        if (notify)
        {
            _peripheral?.Notify(Measurement, CgmMeasurementCodec.Encode(measurement, _e2e));
        }

        return measurement;
    }

    public async ValueTask<byte[]> ReadAsync(GattCharacteristicId characteristic, CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (characteristic.Service == DeviceInformationUuids.DeviceInformationService)
        {
            var text = characteristic.Characteristic switch
            {
                var c when c == DeviceInformationUuids.ManufacturerNameString => _options.Manufacturer,
                var c when c == DeviceInformationUuids.ModelNumberString => _options.Model,
                var c when c == DeviceInformationUuids.SerialNumberString => _options.SerialNumber,
                var c when c == DeviceInformationUuids.FirmwareRevisionString => _options.Firmware,
                _ => throw new GattErrorException("org.bluez.Error.NotSupported", "not readable"),
            };
            return DeviceInformationCodec.EncodeString(text);
        }

        if (characteristic.Characteristic == DeviceInformationUuids.BatteryLevel)
        {
            return DeviceInformationCodec.EncodeBatteryLevel(_options.BatteryPercent);
        }

        if (characteristic == Feature)
        {
            var features = CgmFeatures.CalibrationSupported | CgmFeatures.PatientHighLowAlertsSupported | CgmFeatures.HypoAlertsSupported
                | CgmFeatures.HyperAlertsSupported | CgmFeatures.RateOfIncreaseDecreaseAlertsSupported | CgmFeatures.SensorResultHighLowDetectionSupported
                | CgmFeatures.LowBatteryDetectionSupported | CgmFeatures.CgmTrendInformationSupported | CgmFeatures.CgmQualitySupported
                | (_options.E2eCrc ? CgmFeatures.E2eCrcSupported : CgmFeatures.None);
            return CgmFeatureCodec.Encode(new CgmFeature(features, CgmType.InterstitialFluid, CgmSampleLocation.SubcutaneousTissue), _options.CrcVariant);
        }

        if (characteristic == Status)
        {
            var records = Records;
            var last = records.Count > 0 ? records[^1] : null;
            return CgmStatusCodec.Encode(new CgmStatus(last?.TimeOffsetMinutes ?? 0, CgmStatusAnnunciation.None, CgmCalTempAnnunciation.None, last?.Warning ?? CgmWarningAnnunciation.None), _e2e);
        }

        if (characteristic == SessionStartTime)
        {
            return CgmSessionStartTimeCodec.Encode(CgmSessionStartTime.From(SessionStartUtc, CgmDstOffset.StandardTime), _e2e);
        }

        if (characteristic == SessionRunTime)
        {
            return CgmSessionRunTimeCodec.Encode(new CgmSessionRunTime((ushort)_options.SessionLength.TotalHours), _e2e);
        }

        throw new GattErrorException("org.bluez.Error.NotPermitted", $"{characteristic} is not readable");
    }

    public ValueTask WriteAsync(GattCharacteristicId characteristic, byte[] value, CancellationToken cancellationToken)
    {
        if (characteristic != Racp && characteristic != SpecificOps)
        {
            throw new GattErrorException("org.bluez.Error.NotPermitted", $"{characteristic} is not written by a read-only collector");
        }

        _requests.Writer.TryWrite((characteristic, value));
        return ValueTask.CompletedTask;
    }

    public void OnNotifyingChanged(GattCharacteristicId characteristic, bool notifying)
    {
        if (characteristic == Racp && !notifying)
        {
            _abort = true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _requests.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_processing, _live);
        }
        catch (OperationCanceledException)
        {
            // Stopped mid-transfer or mid-tick.
        }

        if (_peripheral is not null)
        {
            await _peripheral.DisposeAsync();
        }

        _stopping.Dispose();
    }

    private GattPeripheralDefinition Definition() => new(
        _options.LocalName,
        [CgmsUuids.CgmService],
        [
            new GattServiceDefinition(CgmsUuids.CgmService, [
                new GattCharacteristicDefinition(CgmsUuids.CgmMeasurement, "notify"),
                new GattCharacteristicDefinition(CgmsUuids.CgmFeature, "read"),
                new GattCharacteristicDefinition(CgmsUuids.CgmStatus, "read"),
                new GattCharacteristicDefinition(CgmsUuids.CgmSessionStartTime, "read", "write"),
                new GattCharacteristicDefinition(CgmsUuids.CgmSessionRunTime, "read"),
                new GattCharacteristicDefinition(CgmsUuids.RecordAccessControlPoint, "write", "indicate"),
                new GattCharacteristicDefinition(CgmsUuids.CgmSpecificOpsControlPoint, "write", "indicate"),
            ]),
            new GattServiceDefinition(DeviceInformationUuids.DeviceInformationService, [
                new GattCharacteristicDefinition(DeviceInformationUuids.ManufacturerNameString, "read"),
                new GattCharacteristicDefinition(DeviceInformationUuids.ModelNumberString, "read"),
                new GattCharacteristicDefinition(DeviceInformationUuids.SerialNumberString, "read"),
                new GattCharacteristicDefinition(DeviceInformationUuids.FirmwareRevisionString, "read"),
            ]),
            new GattServiceDefinition(DeviceInformationUuids.BatteryService, [
                new GattCharacteristicDefinition(DeviceInformationUuids.BatteryLevel, "read", "notify"),
            ]),
        ])
    {
        Appearance = 0x0D80,
    };

    private CgmWarningAnnunciation? WarningsFor(GlucoseSample sample)
    {
        var warnings = CgmWarningAnnunciation.None;
        if (sample.MgDl < _options.PatientLow)
        {
            warnings |= CgmWarningAnnunciation.ResultLowerThanPatientLowLevel;
        }

        if (sample.MgDl < _options.HypoLevel)
        {
            warnings |= CgmWarningAnnunciation.ResultLowerThanHypoLevel;
        }

        if (sample.MgDl > _options.PatientHigh)
        {
            warnings |= CgmWarningAnnunciation.ResultHigherThanPatientHighLevel;
        }

        if (sample.MgDl > _options.HyperLevel)
        {
            warnings |= CgmWarningAnnunciation.ResultHigherThanHyperLevel;
        }

        if (sample.RateMgDlPerMin < -3)
        {
            warnings |= CgmWarningAnnunciation.RateOfDecreaseExceeded;
        }

        if (sample.RateMgDlPerMin > 3)
        {
            warnings |= CgmWarningAnnunciation.RateOfIncreaseExceeded;
        }

        return warnings == CgmWarningAnnunciation.None ? null : warnings;
    }

    /// <summary>Control-point requests, one at a time as a sensor handles them, answered by indication after the write was acknowledged.</summary>
    private async Task ProcessRequestsAsync()
    {
        await foreach (var (controlPoint, request) in _requests.Reader.ReadAllAsync(_stopping.Token))
        {
            try
            {
                if (controlPoint == Racp)
                {
                    await HandleRacpAsync(request);
                }
                else
                {
                    HandleSpecificOps(request);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRequestFailed(ex, controlPoint.ToString());
            }
        }
    }

    private async Task HandleRacpAsync(byte[] value)
    {
        CgmRacpRequest request;
        try
        {
            request = CgmRacpCodec.DecodeRequest(value);
        }
        catch (ProtocolException ex)
        {
            var result = ex.Kind == ProtocolErrorKind.UnknownCommand ? CgmRacpResult.OpCodeNotSupported : CgmRacpResult.InvalidOperator;
            Indicate(Racp, CgmRacpCodec.EncodeResponse(new CgmRacpResponseCode((CgmRacpOpCode)(value.Length > 0 ? value[0] : 0), result)));
            return;
        }

        if (request.Procedure == CgmRacpProcedure.AbortOperation)
        {
            _abort = true;
            Indicate(Racp, CgmRacpCodec.EncodeResponse(new CgmRacpResponseCode(CgmRacpOpCode.AbortOperation, CgmRacpResult.Success)));
            return;
        }

        var selected = Select(request);
        if (request.Procedure == CgmRacpProcedure.ReportNumberOfStoredRecords)
        {
            Indicate(Racp, CgmRacpCodec.EncodeResponse(new CgmRacpRecordCount((ushort)Math.Min(ushort.MaxValue, selected.Count))));
            return;
        }

        _abort = false;
        for (var i = 0; i < selected.Count && !_abort; i += _options.RecordsPerNotification)
        {
            var batch = selected.Skip(i).Take(_options.RecordsPerNotification).ToList();
            if (!Peripheral.Notify(Measurement, CgmMeasurementCodec.Encode(batch, _e2e)))
            {
                Indicate(Racp, CgmRacpCodec.EncodeResponse(new CgmRacpResponseCode(CgmRacpOpCode.ReportStoredRecords, CgmRacpResult.ProcedureNotCompleted)));
                return;
            }

            if (i % 300 == 0)
            {
                await Task.Yield();
            }
        }

        var outcome = _abort ? CgmRacpResult.ProcedureNotCompleted : selected.Count == 0 ? CgmRacpResult.NoRecordsFound : CgmRacpResult.Success;
        Indicate(Racp, CgmRacpCodec.EncodeResponse(new CgmRacpResponseCode(CgmRacpOpCode.ReportStoredRecords, outcome)));
    }

    private List<CgmMeasurement> Select(CgmRacpRequest request)
    {
        var records = Records;
        return request.Operator switch
        {
            CgmRacpOperator.AllRecords => [.. records],
            CgmRacpOperator.GreaterThanOrEqualTo => [.. records.Where(r => r.TimeOffsetMinutes >= request.FromTimeOffset)],
            CgmRacpOperator.LessThanOrEqualTo => [.. records.Where(r => r.TimeOffsetMinutes <= request.FromTimeOffset)],
            CgmRacpOperator.WithinRangeOf => [.. records.Where(r => r.TimeOffsetMinutes >= request.FromTimeOffset && r.TimeOffsetMinutes <= request.ToTimeOffset)],
            CgmRacpOperator.FirstRecord => [.. records.Take(1)],
            CgmRacpOperator.LastRecord => [.. records.TakeLast(1)],
            _ => [],
        };
    }

    private void HandleSpecificOps(byte[] value)
    {
        CgmSpecificOpsRequest request;
        try
        {
            request = CgmSpecificOpsCodec.DecodeRequest(value, _e2e);
        }
        catch (ProtocolException ex)
        {
            // Set, start, stop and reset do not exist in the codec: a collector that sends one is refused.
            var result = ex.Kind == ProtocolErrorKind.UnknownCommand ? CgmSpecificOpsResult.OpCodeNotSupported : CgmSpecificOpsResult.InvalidOperand;
            Indicate(SpecificOps, CgmSpecificOpsCodec.EncodeResponse(new CgmSpecificOpsResponseCode((CgmSpecificOpsOpCode)(value.Length > 0 ? value[0] : 0), result), _e2e));
            return;
        }

        CgmSpecificOpsResponse response = request.Query switch
        {
            CgmSpecificOpsQuery.GetCommunicationInterval => new CgmCommunicationIntervalResponse(5),
            CgmSpecificOpsQuery.GetGlucoseCalibrationValue => Calibration(request.CalibrationRecordNumber!.Value),
            CgmSpecificOpsQuery.GetPatientHighAlertLevel => new CgmAlertLevelResponse(CgmAlertLevel.PatientHigh, MedicalFloat.SFloatOf(_options.PatientHigh, 0)),
            CgmSpecificOpsQuery.GetPatientLowAlertLevel => new CgmAlertLevelResponse(CgmAlertLevel.PatientLow, MedicalFloat.SFloatOf(_options.PatientLow, 0)),
            CgmSpecificOpsQuery.GetHypoAlertLevel => new CgmAlertLevelResponse(CgmAlertLevel.Hypo, MedicalFloat.SFloatOf(_options.HypoLevel, 0)),
            CgmSpecificOpsQuery.GetHyperAlertLevel => new CgmAlertLevelResponse(CgmAlertLevel.Hyper, MedicalFloat.SFloatOf(_options.HyperLevel, 0)),
            CgmSpecificOpsQuery.GetRateOfDecreaseAlertLevel => new CgmAlertLevelResponse(CgmAlertLevel.RateOfDecrease, MedicalFloat.SFloatOf(-3, 0)),
            _ => new CgmAlertLevelResponse(CgmAlertLevel.RateOfIncrease, MedicalFloat.SFloatOf(3, 0)),
        };
        Indicate(SpecificOps, CgmSpecificOpsCodec.EncodeResponse(response, _e2e));
    }

    private CgmSpecificOpsResponse Calibration(ushort recordNumber)
    {
        var calibrations = Calibrations;
        var found = recordNumber == CgmSpecificOpsRequest.LastCalibrationRecord
            ? (calibrations.Count > 0 ? calibrations[^1] : null)
            : calibrations.FirstOrDefault(c => c.RecordNumber == recordNumber);
        return (CgmSpecificOpsResponse?)found ?? new CgmSpecificOpsResponseCode(CgmSpecificOpsOpCode.GetGlucoseCalibrationValue, CgmSpecificOpsResult.ParameterOutOfRange);
    }

    private void Indicate(GattCharacteristicId controlPoint, byte[] value) => Peripheral.Notify(controlPoint, value);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CGMS emulator: a request on {ControlPoint} failed")]
    private partial void LogRequestFailed(Exception exception, string controlPoint);
}
