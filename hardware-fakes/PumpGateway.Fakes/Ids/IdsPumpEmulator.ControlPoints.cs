using System.Threading.Channels;
using PumpGateway.Codecs;
using PumpGateway.Devices.Ids;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Protocol;
using PumpGateway.Telemetry;

namespace PumpGateway.Fakes.Ids;

/// <summary>The three control points: history retrieval, status reads, and the read-type commands.</summary>
public sealed partial class IdsPumpEmulator
{
    /// <summary>The pump counts insulin on board over this time, decaying linearly (the scenario's own model).</summary>
    private static readonly TimeSpan InsulinActionTime = TimeSpan.FromHours(4);

    private static readonly TimeSpan PumpAgeAtScenarioStart = TimeSpan.FromDays(400);
    private static readonly TimeSpan PumpLifetime = TimeSpan.FromDays(8 * 365);
    private static readonly TimeSpan Warranty = TimeSpan.FromDays(4 * 365);
    private static readonly TimeSpan ReservoirUseTime = TimeSpan.FromDays(3);

    private const byte ActiveBasalTemplate = 1;
    private const byte BasalTemplateCount = 3;
    private const byte MaxTimeBlocks = 24;
    private const int BlocksPerNotification = 3;

    /// <summary>The wearer's saved temporary basals: exercise, illness, a long walk.</summary>
    private static readonly IdsTbrTemplate[] TbrTemplates =
    [
        new(1, IdsTbrType.Relative, MedicalFloat.SFloatOf(0.5m, -2), 90),
        new(2, IdsTbrType.Relative, MedicalFloat.SFloatOf(1.3m, -2), 240),
        new(3, IdsTbrType.Absolute, MedicalFloat.SFloatOf(0.4m, -2), 120),
    ];

    private static readonly IdsBolusTemplate[] BolusTemplates =
    [
        new(1, IdsBolusType.Fast, MedicalFloat.SFloatOf(2m, -2), MedicalFloat.SFloatOf(0, 0), 0, ForMeal: true),
        new(2, IdsBolusType.Extended, MedicalFloat.SFloatOf(0, 0), MedicalFloat.SFloatOf(4m, -2), 120, ForMeal: true),
        new(3, IdsBolusType.Multiwave, MedicalFloat.SFloatOf(3m, -2), MedicalFloat.SFloatOf(3m, -2), 180, ForMeal: true),
    ];

    /// <summary>Requests of one control point, one at a time as a pump handles them, answered by indication after the write returned.</summary>
    private async Task ProcessRequestsAsync(IdsCharacteristic controlPoint, ChannelReader<byte[]> requests)
    {
        await foreach (var request in requests.ReadAllAsync(_stopping.Token))
        {
            await Task.Yield();
            try
            {
                switch (controlPoint)
                {
                    case IdsCharacteristic.RecordAccessControlPoint:
                        await HandleRacpAsync(request);
                        break;
                    case IdsCharacteristic.StatusReaderControlPoint:
                        HandleStatusReader(request);
                        break;
                    default:
                        HandleCommand(request);
                        break;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRequestFailed(ex, controlPoint);
            }
        }
    }

    private async Task HandleRacpAsync(byte[] value)
    {
        IdsRacpRequest request;
        try
        {
            request = IdsRacpCodec.DecodeRequest(value, _dialect);
        }
        catch (ProtocolException ex)
        {
            // Delete Stored Records is not in the codec: it is refused like any op code the pump does not know.
            var code = ex.Kind == ProtocolErrorKind.UnknownCommand ? IdsRacpResponseCode.OpCodeNotSupported
                : ex.Offset == 1 ? IdsRacpResponseCode.InvalidOperator
                : ex.Kind == ProtocolErrorKind.ReservedValue && ex.Offset == 2 ? IdsRacpResponseCode.OperandNotSupported
                : IdsRacpResponseCode.InvalidOperand;
            SendRefusal(IdsCharacteristic.RecordAccessControlPoint, [(byte)IdsRacpOpCode.ResponseCode, (byte)IdsRacpOperator.Null, .. OpCodeOf(value, 1), (byte)code]);
            return;
        }

        if (request.OpCode == IdsRacpOpCode.AbortOperation)
        {
            _racpAbort = false;
            SendRacp(new IdsRacpResult(IdsRacpOpCode.AbortOperation, IdsRacpResponseCode.Success));
            return;
        }

        var records = Select(request);
        if (request.OpCode == IdsRacpOpCode.ReportNumberOfStoredRecords)
        {
            SendRacp(new IdsRacpRecordCount((uint)records.Count));
            return;
        }

        if (records.Count == 0)
        {
            SendRacp(new IdsRacpResult(IdsRacpOpCode.ReportStoredRecords, IdsRacpResponseCode.NoRecordsFound));
            return;
        }

        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            if (_racpAbort || !Send(IdsCharacteristic.HistoryData, _ => IdsHistoryCodec.Encode(record, _dialect), hasCounter: false))
            {
                SendRacp(new IdsRacpResult(IdsRacpOpCode.ReportStoredRecords, IdsRacpResponseCode.ProcedureNotCompleted));
                return;
            }

            if (i % 256 == 255)
            {
                await Task.Yield();
            }
        }

        SendRacp(new IdsRacpResult(IdsRacpOpCode.ReportStoredRecords, IdsRacpResponseCode.Success));
    }

    private List<IdsHistoryEvent> Select(IdsRacpRequest request)
    {
        IEnumerable<IdsHistoryEvent> events = History;
        events = request.FilterType switch
        {
            IdsRacpFilterType.SequenceNumberOfReferenceTimeEvents => events.Where(e => e is IdsReferenceTimeEvent),
            IdsRacpFilterType.SequenceNumberOfNonReferenceTimeEvents => events.Where(e => e is not IdsReferenceTimeEvent),
            _ => events,
        };
        return request.Operator switch
        {
            IdsRacpOperator.LessThanOrEqualTo => [.. events.Where(e => e.SequenceNumber <= request.SequenceNumber)],
            IdsRacpOperator.GreaterThanOrEqualTo => [.. events.Where(e => e.SequenceNumber >= request.SequenceNumber)],
            IdsRacpOperator.WithinRangeOf => [.. events.Where(e => e.SequenceNumber >= request.SequenceNumber && e.SequenceNumber <= request.RangeEnd)],
            IdsRacpOperator.FirstRecord => [.. events.Take(1)],
            IdsRacpOperator.LastRecord => [.. events.TakeLast(1)],
            _ => [.. events],
        };
    }

    private void SendRacp(IdsRacpResponse response) =>
        Send(IdsCharacteristic.RecordAccessControlPoint, counter => IdsRacpCodec.Encode(response with { E2eCounter = counter }, _dialect));

    private void HandleStatusReader(byte[] value)
    {
        IdsStatusReaderRequest request;
        try
        {
            request = IdsStatusReaderCodec.DecodeRequest(value, _dialect);
        }
        catch (ProtocolException ex)
        {
            // Reset Status clears the flags a central has seen; it is not in the codec and is refused here.
            var code = ex.Kind == ProtocolErrorKind.UnknownCommand ? IdsStatusReaderResponseCode.OpCodeNotSupported : IdsStatusReaderResponseCode.InvalidOperand;
            SendRefusal(IdsCharacteristic.StatusReaderControlPoint, [0x03, 0x03, .. OpCodeOf(value, 2), (byte)code]);
            return;
        }

        var response = Answer(request, _scenario.Status);
        Send(IdsCharacteristic.StatusReaderControlPoint, counter => IdsStatusReaderCodec.Encode(response with { E2eCounter = counter }, _dialect));
    }

    private IdsStatusReaderResponse Answer(IdsStatusReaderRequest request, PumpStatus status) => request switch
    {
        IdsGetActiveBolusIds => new IdsActiveBolusIds(new IdsList<ushort>(status.ActiveBolusIds.Take(7).Select(id => (ushort)id))),
        IdsGetActiveBolusDelivery get => ActiveBolus(get, status),
        IdsGetActiveBasalRateDelivery => ActiveBasal(status),
        IdsGetTotalDailyInsulinStatus => new IdsTotalDailyInsulinStatus(Insulin(status.TodayBolusUnits), Insulin(status.TodayBasalUnits), Insulin(status.TodayBolusUnits + status.TodayBasalUnits)),
        IdsGetCounter counter => Counter(counter, status),
        IdsGetDeliveredInsulin => DeliveredInsulin(),
        IdsGetInsulinOnBoard => InsulinOnBoard(status),
        _ => new IdsStatusReaderResult(request.OpCode, IdsStatusReaderResponseCode.OpCodeNotSupported),
    };

    private IdsStatusReaderResponse ActiveBolus(IdsGetActiveBolusDelivery get, PumpStatus status)
    {
        (BolusProgrammed Bolus, DateTime Time)? found;
        lock (_gate)
        {
            found = _history.Bolus(get.BolusId);
        }

        if (!status.ActiveBolusIds.Contains(get.BolusId) || found is not { } programmed)
        {
            return new IdsStatusReaderResult(IdsStatusReaderOpCode.GetActiveBolusDelivery, IdsStatusReaderResponseCode.ParameterOutOfRange);
        }

        var bolus = programmed.Bolus;
        var delivered = _scenario.Deliveries.Where(d => d.Kind == DeliveryKind.Bolus && d.BolusId == bolus.BolusId).Sum(d => d.Units);

        // The immediate part goes first, the extended part after it.
        var fastDelivered = Math.Min(delivered, bolus.ImmediateUnits);
        var extendedDelivered = delivered - fastDelivered;
        var programmedMinutes = IdsPumpValues.Minutes(bolus.ExtendedDuration);
        var elapsedMinutes = Math.Min(programmedMinutes, IdsPumpValues.Minutes(status.Time - programmed.Time));
        var (fast, extended, minutes) = get.ValueSelection switch
        {
            IdsBolusValueSelection.Remaining => (bolus.ImmediateUnits - fastDelivered, bolus.ExtendedUnits - extendedDelivered, (ushort)(programmedMinutes - elapsedMinutes)),
            IdsBolusValueSelection.Delivered => (fastDelivered, extendedDelivered, elapsedMinutes),
            _ => (bolus.ImmediateUnits, bolus.ExtendedUnits, programmedMinutes),
        };
        var type = bolus.Type switch { BolusType.Square => IdsBolusType.Extended, BolusType.DualWave => IdsBolusType.Multiwave, _ => IdsBolusType.Fast };
        return new IdsActiveBolusDelivery(
            (ushort)bolus.BolusId,
            type,
            Insulin(fast),
            Insulin(extended),
            minutes,
            ActivationType: IdsBolusActivationType.Recommended,
            ForCorrection: bolus.Calculation.CorrectionUnits > 0,
            ForMeal: bolus.Calculation.CarbGrams > 0);
    }

    private IdsActiveBasalRateDelivery ActiveBasal(PumpStatus status)
    {
        IdsActiveTemporaryBasal? running;
        lock (_gate)
        {
            running = _history.TemporaryBasal;
        }

        var tbr = running is null
            ? null
            : new IdsActiveTbr(running.Type, running.AdjustmentValue, running.ProgrammedMinutes, (ushort)Math.Max(0, running.ProgrammedMinutes - IdsPumpValues.Minutes(status.Time - running.Started)));
        return new IdsActiveBasalRateDelivery(ActiveBasalTemplate, Insulin(_scenario.Options.BasalRates[status.Time.Hour]), tbr, DeliveryContext: IdsDeliveryContext.DeviceBased);
    }

    private IdsStatusReaderResponse Counter(IdsGetCounter get, PumpStatus status)
    {
        var inService = status.Time - (_scenario.Options.Start - PumpAgeAtScenarioStart);
        DateTime? filledAt;
        lock (_gate)
        {
            filledAt = _history.ReservoirFilledAt;
        }

        (TimeSpan Elapsed, TimeSpan Total)? counter = get.CounterType switch
        {
            IdsCounterType.Lifetime => (inService, PumpLifetime),
            IdsCounterType.WarrantyTime => (inService, Warranty),
            IdsCounterType.ReservoirInsulinOperationTime when filledAt is { } filled => (status.Time - filled, ReservoirUseTime),

            // Not a loaner pump.
            _ => null,
        };
        if (counter is not { } value)
        {
            return new IdsStatusReaderResult(IdsStatusReaderOpCode.GetCounter, IdsStatusReaderResponseCode.ProcedureNotApplicable);
        }

        var elapsed = (int)value.Elapsed.TotalMinutes;
        var minutes = get.ValueSelection == IdsCounterValueSelection.Elapsed ? elapsed : Math.Max(0, (int)value.Total.TotalMinutes - elapsed);
        return new IdsCounterValue(get.CounterType, get.ValueSelection, minutes);
    }

    /// <summary>Everything the pump delivered, priming excluded; FLOAT on the wire in every dialect.</summary>
    private IdsDeliveredInsulin DeliveredInsulin()
    {
        var deliveries = _scenario.Deliveries;
        return new IdsDeliveredInsulin(
            IdsPumpValues.Float(deliveries.Where(d => d.Kind == DeliveryKind.Bolus).Sum(d => d.Units)),
            IdsPumpValues.Float(deliveries.Where(d => d.Kind == DeliveryKind.Basal).Sum(d => d.Units)));
    }

    private IdsInsulinOnBoard InsulinOnBoard(PumpStatus status)
    {
        var recent = _scenario.Deliveries
            .Where(d => d.Kind == DeliveryKind.Bolus)
            .GroupBy(d => d.BolusId)
            .Select(g => (Started: g.Min(d => d.From), Units: g.Sum(d => d.Units)))
            .Where(b => status.Time - b.Started < InsulinActionTime && b.Started <= status.Time)
            .ToList();
        var onBoard = recent.Sum(b => b.Units * (decimal)(1 - ((status.Time - b.Started) / InsulinActionTime)));
        var remaining = recent.Count == 0 ? (ushort)0 : IdsPumpValues.Minutes(recent.Max(b => b.Started) + InsulinActionTime - status.Time);
        return new IdsInsulinOnBoard(Insulin(Math.Round(onBoard, 2)), remaining);
    }

    private void HandleCommand(byte[] value)
    {
        IdsCommandRequest request;
        try
        {
            request = IdsCommandControlPointCodec.DecodeRequest(value, _dialect);
        }
        catch (ProtocolException ex)
        {
            // Set or cancel a bolus or a TBR, change the therapy state, write or activate a
            // template, prime, snooze: none of these has a request record in the codec, so each
            // ends here, answered "op code not supported" and never acted on.
            var code = ex.Kind == ProtocolErrorKind.UnknownCommand ? IdsCommandResponseCode.OpCodeNotSupported : IdsCommandResponseCode.InvalidOperand;
            SendRefusal(IdsCharacteristic.CommandControlPoint, [0x55, 0x0F, .. OpCodeOf(value, 2), (byte)code]);
            return;
        }

        switch (request)
        {
            case IdsReadProfileTemplate { Profile: IdsProfile.BasalRate } read:
                ReadBasalTemplate(read.TemplateNumber);
                break;
            case IdsReadProfileTemplate or IdsReadTargetGlucoseRangeProfileTemplate:
                // The Features announce no ISF, I:CHO ratio or target glucose templates.
                SendCommand(new IdsCommandResult(request.OpCode, IdsCommandResponseCode.OpCodeNotSupported));
                break;
            case IdsGetTbrTemplate get:
                SendCommand(Array.Find(TbrTemplates, t => t.TemplateNumber == get.TemplateNumber) ?? (IdsCommandResponse)new IdsCommandResult(request.OpCode, IdsCommandResponseCode.ParameterOutOfRange));
                break;
            case IdsGetBolusTemplate get:
                SendCommand(Array.Find(BolusTemplates, t => t.TemplateNumber == get.TemplateNumber) ?? (IdsCommandResponse)new IdsCommandResult(request.OpCode, IdsCommandResponseCode.ParameterOutOfRange));
                break;
            case IdsGetAvailableBoluses:
                SendCommand(AvailableBoluses(_scenario.Status));
                break;
            case IdsGetTemplateStatusAndDetails:
                SendCommandData(new IdsTemplateStatusAndDetails(IdsTemplateType.BasalRateProfile, 1, MaxTimeBlocks, [new(true, true), .. Enumerable.Repeat(new IdsTemplateConfiguration(true, false), BasalTemplateCount - 1)]));
                SendCommandData(new IdsTemplateStatusAndDetails(IdsTemplateType.Tbr, 1, 0, [.. TbrTemplates.Select(_ => new IdsTemplateConfiguration(true, true))]));
                SendCommandData(new IdsTemplateStatusAndDetails(IdsTemplateType.Bolus, 1, 0, [.. BolusTemplates.Select(_ => new IdsTemplateConfiguration(true, true))]));
                SendCommand(new IdsCommandResult(request.OpCode, IdsCommandResponseCode.Success));
                break;
            case IdsGetActivatedProfileTemplates:
                SendCommand(new IdsActivatedProfileTemplates([ActiveBasalTemplate]));
                break;
            case IdsGetMaxBolusAmount:
                SendCommand(new IdsMaxBolusAmount(Insulin(_options.MaxBolusUnits)));
                break;
            default:
                SendCommand(new IdsCommandResult(request.OpCode, IdsCommandResponseCode.OpCodeNotSupported));
                break;
        }
    }

    /// <summary>The active basal template is the scenario's 24 hourly rates, equal neighbours merged into one time block.</summary>
    private void ReadBasalTemplate(byte templateNumber)
    {
        var code = templateNumber switch
        {
            ActiveBasalTemplate => IdsCommandResponseCode.Success,
            > 0 and <= BasalTemplateCount => IdsCommandResponseCode.ProcedureNotApplicable,
            _ => IdsCommandResponseCode.ParameterOutOfRange,
        };
        if (code == IdsCommandResponseCode.Success)
        {
            var blocks = new List<IdsTimeBlock>();
            foreach (var rate in _scenario.Options.BasalRates)
            {
                var value = Insulin(rate);
                if (blocks.Count > 0 && blocks[^1].Value == value)
                {
                    blocks[^1] = blocks[^1] with { DurationMinutes = (ushort)(blocks[^1].DurationMinutes + 60) };
                }
                else
                {
                    blocks.Add(new IdsTimeBlock(60, value));
                }
            }

            for (var first = 0; first < blocks.Count; first += BlocksPerNotification)
            {
                var chunk = blocks.Skip(first).Take(BlocksPerNotification);
                SendCommandData(new IdsProfileTemplateTimeBlocks(IdsProfile.BasalRate, templateNumber, (byte)(first + 1), new IdsList<IdsTimeBlock>(chunk)));
            }
        }

        SendCommand(new IdsCommandResult(IdsCommandOpCode.ReadBasalRateProfileTemplate, code));
    }

    private IdsAvailableBoluses AvailableBoluses(PumpStatus status)
    {
        if (status.Suspended)
        {
            return new IdsAvailableBoluses(false, false, false);
        }

        List<BolusProgrammed> active;
        lock (_gate)
        {
            active = [.. status.ActiveBolusIds.Select(id => _history.Bolus(id)?.Bolus).OfType<BolusProgrammed>()];
        }

        // One bolus pushes its immediate part at a time, and one extended part runs at a time.
        var extendedRunning = active.Exists(b => b.ExtendedUnits > 0);
        return new IdsAvailableBoluses(!active.Exists(b => b.Type == BolusType.Normal), !extendedRunning, !extendedRunning);
    }

    private void SendCommand(IdsCommandResponse response) =>
        Send(IdsCharacteristic.CommandControlPoint, counter => IdsCommandControlPointCodec.Encode(response with { E2eCounter = counter }, _dialect));

    private void SendCommandData(IdsCommandData data) =>
        Send(IdsCharacteristic.CommandData, counter => IdsCommandDataCodec.Encode(data with { E2eCounter = counter }, _dialect));

    /// <summary>The op code a refused request carried, as many bytes as it has (zeros where the request was shorter); never the E2E trailer.</summary>
    private byte[] OpCodeOf(byte[] value, int size)
    {
        var body = _dialect.E2eProtection ? value.AsSpan(0, Math.Max(0, value.Length - 3)) : value;
        var opCode = new byte[size];
        body[..Math.Min(size, body.Length)].CopyTo(opCode);
        return opCode;
    }

    private void SendRefusal(IdsCharacteristic controlPoint, byte[] body) =>
        Send(controlPoint, counter => IdsPumpValues.Seal(body, _dialect, counter));

    private MedicalFloat Insulin(decimal units) => IdsPumpValues.Insulin(units, _dialect);
}
