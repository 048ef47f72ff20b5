using System.Buffers.Binary;
using PumpGateway.Codecs;
using PumpGateway.Devices.Gatt;
using PumpGateway.Devices.Ids;
using PumpGateway.Fakes.Ids;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Ports;
using PumpGateway.Protocol;
using PumpGateway.Telemetry;

namespace PumpGateway.Fakes.Tests.Ids;

/// <summary>The pump's GATT handler driven directly, without a bus: control points, E2E, live changes, refusals.</summary>
public sealed class IdsPumpEmulatorTests
{
    private static readonly DateTime Start = new(2026, 11, 1);

    /// <summary>The read op codes of the Command Control Point (BLEIDSSim datatypes.py CommandControlOpCodes, the Get/Read ones).</summary>
    private static readonly ushort[] CommandReads = [0x0FAA, 0x111E, 0x1188, 0x11BB, 0x11EE, 0x1248, 0x12B8, 0x12ED, 0x1428, 0x147D];

    private static IdsPumpOptions Frozen => new() { TimeScale = 0 };

    [Fact]
    public async Task Every_command_op_code_that_is_not_a_read_is_answered_op_code_not_supported_kept_and_never_acted_on()
    {
        var scenario = Scenario(seed: 2, days: 2);
        var (pump, central) = IdsTestCentral.Detached(scenario, Frozen);
        await using var _ = pump;
        var events = scenario.Events.Count;
        var history = pump.History;
        var status = scenario.Status;

        var refused = 0;
        for (var opCode = 0; opCode <= ushort.MaxValue; opCode++)
        {
            if (CommandReads.Contains((ushort)opCode))
            {
                continue;
            }

            byte[] expected = [0x55, 0x0F, (byte)opCode, (byte)(opCode >> 8), 0x70];
            var answer = await central.RawAsync(IdsCharacteristic.CommandControlPoint, [(byte)opCode, (byte)(opCode >> 8), 0x01]);
            if (!answer.AsSpan().SequenceEqual(expected))
            {
                Assert.Fail($"op code 0x{opCode:x4} was answered {Convert.ToHexString(answer)}");
            }

            refused++;
        }

        Assert.Equal(65536 - CommandReads.Length, refused);
        var kept = pump.RefusedCommands;
        Assert.Equal(refused, kept.Count);
        Assert.Equal(
            Enumerable.Range(0, 65536).Where(op => !CommandReads.Contains((ushort)op)),
            kept.Select(v => (int)BinaryPrimitives.ReadUInt16LittleEndian(v)));
        Assert.False(pump.EverChangedTherapy);
        Assert.Equal(events, scenario.Events.Count);
        Assert.Equal(history, pump.History);
        Assert.Equal(status.ReservoirUnits, scenario.Status.ReservoirUnits);
        Assert.Equal(status.BasalUnitsPerHour, scenario.Status.BasalUnitsPerHour);
        Assert.Equal(status.ActiveBolusIds, scenario.Status.ActiveBolusIds);
        Assert.Equal(status.TemporaryBasalId, scenario.Status.TemporaryBasalId);
        Assert.Equal(status.Suspended, scenario.Status.Suspended);
    }

    [Fact]
    public async Task Random_writes_to_the_control_points_are_answered_or_refused_at_the_att_level_and_change_nothing()
    {
        var scenario = Scenario(seed: 4, days: 1);
        var (pump, central) = IdsTestCentral.Detached(scenario, Frozen);
        await using var _ = pump;
        var events = scenario.Events.Count;
        var random = new Random(20261101);
        IdsCharacteristic[] controlPoints = [IdsCharacteristic.RecordAccessControlPoint, IdsCharacteristic.StatusReaderControlPoint, IdsCharacteristic.CommandControlPoint];
        var commandsNotRead = 0;
        for (var i = 0; i < 1500; i++)
        {
            var controlPoint = controlPoints[random.Next(controlPoints.Length)];
            var body = new byte[random.Next(0, 14)];
            random.NextBytes(body);
            if (body.Length > 0 && random.Next(3) == 0)
            {
                // Aim at defined op codes now and then so that valid requests with broken operands come too.
                body[0] = controlPoint switch
                {
                    IdsCharacteristic.RecordAccessControlPoint => (byte)(0x33 + (random.Next(3) * 0x09)),
                    IdsCharacteristic.StatusReaderControlPoint => 0x30,
                    _ => 0xAA,
                };
                if (body.Length > 1)
                {
                    body[1] = controlPoint == IdsCharacteristic.RecordAccessControlPoint ? (byte)0x66 : (byte)(controlPoint == IdsCharacteristic.StatusReaderControlPoint ? 0x03 : 0x0F);
                }
            }

            if (controlPoint == IdsCharacteristic.CommandControlPoint && (body.Length < 2 || !CommandReads.Contains(BinaryPrimitives.ReadUInt16LittleEndian(body))))
            {
                commandsNotRead++;
            }

            switch (random.Next(10))
            {
                case 0:
                    var badCrc = central.Seal(body, central.PeekCounter(controlPoint));
                    badCrc[^1] ^= (byte)(1 << random.Next(8));
                    Assert.Contains("0x81", (await Assert.ThrowsAsync<GattErrorException>(() => central.WriteAsync(controlPoint, badCrc))).Message);
                    break;
                case 1:
                    Assert.Contains("0x82", (await Assert.ThrowsAsync<GattErrorException>(() => central.WriteAsync(controlPoint, central.Seal(body, 0)))).Message);
                    break;
                default:
                    await central.WriteAsync(controlPoint, central.Seal(controlPoint, body));
                    AssertAnswer(central, controlPoint, body, await NextAnswerAsync(central, controlPoint));
                    break;
            }
        }

        Assert.Equal(commandsNotRead, pump.RefusedCommands.Count);
        Assert.False(pump.EverChangedTherapy);
        Assert.Equal(events, scenario.Events.Count);
    }

    [Fact]
    public async Task A_bad_crc_is_att_error_0x81_a_repeated_counter_0x82_and_a_new_connection_counts_from_one_again()
    {
        var (pump, central) = IdsTestCentral.Detached(Scenario(seed: 5, days: 1), Frozen);
        await using var _ = pump;
        Assert.IsType<IdsRacpRecordCount>((await central.RacpAsync(IdsRacpRequest.CountAll())).Response);

        var request = IdsRacpCodec.Encode(IdsRacpRequest.CountAll() with { E2eCounter = central.PeekCounter(IdsCharacteristic.RecordAccessControlPoint) }, IdsDialect.SpecificationWithE2e);
        request[^2] ^= 0x01;
        var badCrc = await Assert.ThrowsAsync<GattErrorException>(() => central.WriteAsync(IdsCharacteristic.RecordAccessControlPoint, request));
        Assert.Equal("org.bluez.Error.Failed", badCrc.ErrorName);
        Assert.Contains("0x81", badCrc.Message);

        var again = IdsRacpCodec.Encode(IdsRacpRequest.CountAll() with { E2eCounter = 1 }, IdsDialect.SpecificationWithE2e);
        var badCounter = await Assert.ThrowsAsync<GattErrorException>(() => central.WriteAsync(IdsCharacteristic.RecordAccessControlPoint, again));
        Assert.Equal("org.bluez.Error.Failed", badCounter.ErrorName);
        Assert.Contains("0x82", badCounter.Message);

        // The refused writes spent nothing: the sequence goes on at 2.
        Assert.IsType<IdsRacpRecordCount>((await central.RacpAsync(IdsRacpRequest.CountAll())).Response);

        // The central leaves (all its subscriptions end) and comes back: both sides count from 1.
        foreach (var id in IdsTestCentral.Subscribable(pump))
        {
            pump.OnNotifyingChanged(id, false);
        }

        foreach (var id in IdsTestCentral.Subscribable(pump))
        {
            pump.OnNotifyingChanged(id, true);
        }

        var fresh = central.Reconnected();
        Assert.Equal(new IdsRacpRecordCount((uint)pump.History.Count) { E2eCounter = 1 }, (await fresh.RacpAsync(IdsRacpRequest.CountAll())).Response);

        // The old connection's sequence (it would send 3) is not the new one's (2 is due).
        var stale = await Assert.ThrowsAsync<GattErrorException>(() => central.WriteAsync(IdsCharacteristic.RecordAccessControlPoint, IdsRacpCodec.Encode(IdsRacpRequest.CountAll() with { E2eCounter = central.Counter(IdsCharacteristic.RecordAccessControlPoint) }, central.Dialect)));
        Assert.Contains("0x82", stale.Message);
    }

    [Fact]
    public async Task History_is_reported_all_from_up_to_within_first_last_and_by_reference_time_filter()
    {
        var (pump, central) = IdsTestCentral.Detached(Scenario(seed: 6, days: 2), Frozen with { FirstSequenceNumber = 500 });
        await using var _ = pump;
        var history = pump.History;
        var last = history[^1].SequenceNumber;

        var (all, done) = await central.RacpAsync(IdsRacpRequest.ReportAll());
        Assert.Equal(history, all);
        Assert.Equal(new IdsRacpResult(IdsRacpOpCode.ReportStoredRecords, IdsRacpResponseCode.Success) { E2eCounter = 1 }, done);
        Assert.Equal(new IdsRacpRecordCount((uint)history.Count) { E2eCounter = 2 }, (await central.RacpAsync(IdsRacpRequest.CountAll())).Response);
        Assert.Equal(history.Where(e => e.SequenceNumber >= 600), (await central.RacpAsync(IdsRacpRequest.ReportFrom(600))).Records);
        Assert.Equal(history.Where(e => e.SequenceNumber <= 520), (await central.RacpAsync(IdsRacpRequest.ReportUpTo(520))).Records);
        Assert.Equal(history.Where(e => e.SequenceNumber is >= 510 and <= 530), (await central.RacpAsync(IdsRacpRequest.ReportRange(510, 530))).Records);
        Assert.Equal([history[0]], (await central.RacpAsync(IdsRacpRequest.ReportFirst())).Records);
        Assert.Equal([history[^1]], (await central.RacpAsync(IdsRacpRequest.ReportLast())).Records);
        Assert.Equal(
            history.Where(e => e is IdsReferenceTimeEvent && e.SequenceNumber >= 501),
            (await central.RacpAsync(IdsRacpRequest.ReportFrom(501, IdsRacpFilterType.SequenceNumberOfReferenceTimeEvents))).Records);
        Assert.Equal(
            new IdsRacpRecordCount((uint)history.Count(e => e is not IdsReferenceTimeEvent)),
            (await central.RacpAsync(IdsRacpRequest.CountAll() with { FilterType = IdsRacpFilterType.SequenceNumberOfNonReferenceTimeEvents })).Response with { E2eCounter = null });

        var (none, nothing) = await central.RacpAsync(IdsRacpRequest.ReportFrom(last + 1));
        Assert.Empty(none);
        Assert.Equal(IdsRacpResponseCode.NoRecordsFound, Assert.IsType<IdsRacpResult>(nothing).ResponseCode);
    }

    [Fact]
    public async Task Delete_and_undefined_racp_requests_are_refused_with_the_right_response_codes()
    {
        var (pump, central) = IdsTestCentral.Detached(Scenario(seed: 7, days: 1), Frozen);
        await using var _ = pump;
        var count = pump.History.Count;

        // Delete stored records, all (BLEIDSSim datatypes.py RecordAccessControlPointOpCodes.delete_stored_records = 0x3C).
        Assert.Equal(new byte[] { 0x0F, 0x0F, 0x3C, 0x02 }, await central.RawAsync(IdsCharacteristic.RecordAccessControlPoint, [0x3C, 0x33]));
        Assert.Equal(new byte[] { 0x0F, 0x0F, 0x33, 0x03 }, await central.RawAsync(IdsCharacteristic.RecordAccessControlPoint, [0x33, 0x44]));
        Assert.Equal(new byte[] { 0x0F, 0x0F, 0x33, 0x09 }, await central.RawAsync(IdsCharacteristic.RecordAccessControlPoint, [0x33, 0x55, 0x44, 0x01, 0x00, 0x00, 0x00]));
        Assert.Equal(new byte[] { 0x0F, 0x0F, 0x33, 0x05 }, await central.RawAsync(IdsCharacteristic.RecordAccessControlPoint, [0x33, 0x55, 0x0F, 0x01]));
        Assert.Equal(new byte[] { 0x0F, 0x0F, 0x66, 0x02 }, await central.RawAsync(IdsCharacteristic.RecordAccessControlPoint, [0x66, 0x0F, 0x00, 0x00, 0x00, 0x00]));
        Assert.Equal(count, pump.History.Count);
        Assert.Equal(new IdsRacpRecordCount((uint)count) { E2eCounter = 6 }, (await central.RacpAsync(IdsRacpRequest.CountAll())).Response);
    }

    [Fact]
    public async Task An_abort_stops_a_transfer_under_way_and_is_answered_success()
    {
        // The pump is held at its tenth history record until the abort is written, however fast it runs.
        using var abortWritten = new ManualResetEventSlim();
        var historyNotified = 0;
        var (pump, central) = IdsTestCentral.Detached(Scenario(seed: 8, days: 14), Frozen, id =>
        {
            if (id.Characteristic == IdsUuids.HistoryData && Interlocked.Increment(ref historyNotified) == 10)
            {
                abortWritten.Wait(TimeSpan.FromSeconds(10));
            }
        });
        await using var _ = pump;
        var total = pump.History.Count;
        await central.WriteAsync(IdsCharacteristic.RecordAccessControlPoint, IdsRacpCodec.Encode(IdsRacpRequest.ReportAll() with { E2eCounter = central.Counter(IdsCharacteristic.RecordAccessControlPoint) }, central.Dialect));
        await central.WriteAsync(IdsCharacteristic.RecordAccessControlPoint, IdsRacpCodec.Encode(IdsRacpRequest.Abort() with { E2eCounter = central.Counter(IdsCharacteristic.RecordAccessControlPoint) }, central.Dialect));
        abortWritten.Set();

        var records = 0;
        var responses = new List<IdsRacpResponse>();
        while (responses.Count < 2)
        {
            var notification = await central.NextAsync(IdsCharacteristic.RecordAccessControlPoint, IdsCharacteristic.HistoryData);
            if (notification.Characteristic == central.Id(IdsCharacteristic.HistoryData))
            {
                records++;
            }
            else
            {
                responses.Add(IdsRacpCodec.DecodeResponse(notification.Value, central.Dialect));
            }
        }

        Assert.True(records < total, $"all {total} records went before the abort");
        Assert.Equal(new IdsRacpResult(IdsRacpOpCode.ReportStoredRecords, IdsRacpResponseCode.ProcedureNotCompleted), responses[0] with { E2eCounter = null });
        Assert.Equal(new IdsRacpResult(IdsRacpOpCode.AbortOperation, IdsRacpResponseCode.Success), responses[1] with { E2eCounter = null });

        // The next transfer is whole again.
        Assert.Equal(total, (await central.RacpAsync(IdsRacpRequest.ReportAll())).Records.Count);
    }

    [Fact]
    public async Task Every_status_reader_request_is_answered_from_the_pump_as_it_stands()
    {
        var scenario = Scenario(seed: 9, days: 1, exercise: 7);
        var (pump, central) = IdsTestCentral.Detached(scenario, Frozen);
        await using var _ = pump;

        await AdvanceUntilAsync(pump, s => s.ActiveBolusIds.Count > 0);
        var status = scenario.Status;
        var bolusId = status.ActiveBolusIds[0];
        var programmed = scenario.Events.OfType<BolusProgrammed>().Single(b => b.BolusId == bolusId);
        var ids = Assert.IsType<IdsActiveBolusIds>(await central.StatusReaderAsync(new IdsGetActiveBolusIds()));
        Assert.Equal(status.ActiveBolusIds.Select(id => (ushort)id), ids.BolusIds);
        var bolus = Assert.IsType<IdsActiveBolusDelivery>(await central.StatusReaderAsync(new IdsGetActiveBolusDelivery((ushort)bolusId, IdsBolusValueSelection.Programmed)));
        Assert.Equal((programmed.ImmediateUnits, programmed.ExtendedUnits), (bolus.FastAmount.ToDecimal(), bolus.ExtendedAmount.ToDecimal()));
        var delivered = Assert.IsType<IdsActiveBolusDelivery>(await central.StatusReaderAsync(new IdsGetActiveBolusDelivery((ushort)bolusId, IdsBolusValueSelection.Delivered)));
        var remaining = Assert.IsType<IdsActiveBolusDelivery>(await central.StatusReaderAsync(new IdsGetActiveBolusDelivery((ushort)bolusId, IdsBolusValueSelection.Remaining)));
        Assert.Equal(scenario.Deliveries.Where(d => d.Kind == DeliveryKind.Bolus && d.BolusId == bolusId).Sum(d => d.Units), delivered.FastAmount.ToDecimal() + delivered.ExtendedAmount.ToDecimal());
        Assert.Equal(programmed.TotalUnits, delivered.FastAmount.ToDecimal() + delivered.ExtendedAmount.ToDecimal() + remaining.FastAmount.ToDecimal() + remaining.ExtendedAmount.ToDecimal());
        Assert.Equal(
            new IdsStatusReaderResult(IdsStatusReaderOpCode.GetActiveBolusDelivery, IdsStatusReaderResponseCode.ParameterOutOfRange),
            await central.StatusReaderAsync(new IdsGetActiveBolusDelivery(999, IdsBolusValueSelection.Programmed)) with { E2eCounter = null });

        var total = Assert.IsType<IdsTotalDailyInsulinStatus>(await central.StatusReaderAsync(new IdsGetTotalDailyInsulinStatus()));
        Assert.Equal((status.TodayBolusUnits, status.TodayBasalUnits), (total.Bolus.ToDecimal(), total.Basal.ToDecimal()));
        var lifetime = Assert.IsType<IdsCounterValue>(await central.StatusReaderAsync(new IdsGetCounter(IdsCounterType.Lifetime, IdsCounterValueSelection.Elapsed)));
        Assert.Equal((int)(status.Time - Start.AddDays(-400)).TotalMinutes, lifetime.ValueMinutes);
        var reservoirTime = Assert.IsType<IdsCounterValue>(await central.StatusReaderAsync(new IdsGetCounter(IdsCounterType.ReservoirInsulinOperationTime, IdsCounterValueSelection.Elapsed)));
        Assert.Equal((int)(status.Time - scenario.Events.OfType<ReservoirFilled>().Last().Time).TotalMinutes, reservoirTime.ValueMinutes);
        Assert.IsType<IdsStatusReaderResult>(await central.StatusReaderAsync(new IdsGetCounter(IdsCounterType.LoanerTime, IdsCounterValueSelection.Remaining)));
        var insulin = Assert.IsType<IdsDeliveredInsulin>(await central.StatusReaderAsync(new IdsGetDeliveredInsulin()));
        Assert.Equal(scenario.Deliveries.Where(d => d.Kind == DeliveryKind.Basal).Sum(d => d.Units), insulin.Basal.ToDecimal());
        Assert.Equal(scenario.Deliveries.Where(d => d.Kind == DeliveryKind.Bolus).Sum(d => d.Units), insulin.Bolus.ToDecimal());
        var onBoard = Assert.IsType<IdsInsulinOnBoard>(await central.StatusReaderAsync(new IdsGetInsulinOnBoard()));
        Assert.InRange(onBoard.Amount.ToDecimal()!.Value, 0.01m, 30m);
        Assert.InRange(onBoard.RemainingDurationMinutes!.Value, 1, 240);

        await AdvanceUntilAsync(pump, s => s.TemporaryBasalId is not null);
        status = scenario.Status;
        var started = scenario.Events.OfType<TemporaryBasalStarted>().Last();
        var basal = Assert.IsType<IdsActiveBasalRateDelivery>(await central.StatusReaderAsync(new IdsGetActiveBasalRateDelivery()));
        Assert.Equal(scenario.Options.BasalRates[status.Time.Hour], basal.CurrentRate.ToDecimal());
        Assert.Equal(started.Kind == TemporaryBasalKind.Absolute ? IdsTbrType.Absolute : IdsTbrType.Relative, basal.Tbr?.Type);
        Assert.Equal((ushort)started.Duration.TotalMinutes, basal.Tbr?.DurationProgrammedMinutes);
        Assert.InRange(basal.Tbr!.DurationRemainingMinutes, 0, basal.Tbr.DurationProgrammedMinutes);

        // Reset Status (0x030C) clears the client's flags: not a read, refused (BLEIDSSim ids.py OpCodes.reset_status).
        Assert.Equal(new byte[] { 0x03, 0x03, 0x0C, 0x03, 0x70 }, await central.RawAsync(IdsCharacteristic.StatusReaderControlPoint, [0x0C, 0x03, 0xFF]));
        Assert.Equal(new byte[] { 0x03, 0x03, 0x56, 0x03, 0x71 }, await central.RawAsync(IdsCharacteristic.StatusReaderControlPoint, [0x56, 0x03, 0x01, 0x00, 0x44]));
    }

    [Fact]
    public async Task Command_reads_return_the_basal_profile_templates_and_limits()
    {
        var scenario = Scenario(seed: 10, days: 1);
        var (pump, central) = IdsTestCentral.Detached(scenario, Frozen);
        await using var _ = pump;

        var (blocks, done) = await central.CommandAsync(new IdsReadProfileTemplate(IdsProfile.BasalRate, 1));
        Assert.Equal(new IdsCommandResult(IdsCommandOpCode.ReadBasalRateProfileTemplate, IdsCommandResponseCode.Success), done with { E2eCounter = null });
        var timeBlocks = blocks.Cast<IdsProfileTemplateTimeBlocks>().ToList();
        Assert.Equal(1 + timeBlocks.Take(timeBlocks.Count - 1).Sum(b => b.TimeBlocks.Count), timeBlocks[^1].FirstTimeBlockIndex);
        var hourly = timeBlocks.SelectMany(b => b.TimeBlocks).SelectMany(b => Enumerable.Repeat(b.Value.ToDecimal(), b.DurationMinutes / 60)).ToList();
        Assert.Equal(scenario.Options.BasalRates.Select(r => (decimal?)r), hourly);
        Assert.Equal(1440, timeBlocks.SelectMany(b => b.TimeBlocks).Sum(b => b.DurationMinutes));

        Assert.Equal(IdsCommandResponseCode.ProcedureNotApplicable, Assert.IsType<IdsCommandResult>((await central.CommandAsync(new IdsReadProfileTemplate(IdsProfile.BasalRate, 2))).Response).ResponseCode);
        Assert.Equal(IdsCommandResponseCode.ParameterOutOfRange, Assert.IsType<IdsCommandResult>((await central.CommandAsync(new IdsReadProfileTemplate(IdsProfile.BasalRate, 9))).Response).ResponseCode);
        Assert.Equal(IdsCommandResponseCode.OpCodeNotSupported, Assert.IsType<IdsCommandResult>((await central.CommandAsync(new IdsReadProfileTemplate(IdsProfile.Isf, 1))).Response).ResponseCode);

        var tbr = Assert.IsType<IdsTbrTemplate>((await central.CommandAsync(new IdsGetTbrTemplate(1))).Response);
        Assert.Equal((IdsTbrType.Relative, 0.5m, (ushort)90), (tbr.Type, tbr.AdjustmentValue.ToDecimal()!.Value, tbr.DurationMinutes));
        Assert.Equal(IdsBolusType.Multiwave, Assert.IsType<IdsBolusTemplate>((await central.CommandAsync(new IdsGetBolusTemplate(3))).Response).BolusType);
        Assert.IsType<IdsCommandResult>((await central.CommandAsync(new IdsGetBolusTemplate(4))).Response);
        Assert.IsType<IdsAvailableBoluses>((await central.CommandAsync(new IdsGetAvailableBoluses())).Response);
        Assert.Equal([(byte)1], Assert.IsType<IdsActivatedProfileTemplates>((await central.CommandAsync(new IdsGetActivatedProfileTemplates())).Response).TemplateNumbers);
        Assert.Equal(25m, Assert.IsType<IdsMaxBolusAmount>((await central.CommandAsync(new IdsGetMaxBolusAmount())).Response).Amount.ToDecimal());

        var (templates, listed) = await central.CommandAsync(new IdsGetTemplateStatusAndDetails());
        Assert.Equal(IdsCommandResponseCode.Success, Assert.IsType<IdsCommandResult>(listed).ResponseCode);
        Assert.Equal(
            new[] { IdsTemplateType.BasalRateProfile, IdsTemplateType.Tbr, IdsTemplateType.Bolus },
            templates.Cast<IdsTemplateStatusAndDetails>().Select(t => t.TemplateType));
        Assert.Equal(new IdsTemplateConfiguration(true, true), templates.Cast<IdsTemplateStatusAndDetails>().First().Templates[0]);
        Assert.Empty(pump.RefusedCommands);
    }

    [Fact]
    public async Task Reads_give_the_features_status_annunciation_device_information_and_battery()
    {
        var scenario = Scenario(seed: 12, days: 1);
        var (pump, central) = IdsTestCentral.Detached(scenario, Frozen with { SerialNumber = "IDS-TEST-7" });
        await using var _ = pump;

        var features = IdsFeaturesCodec.Decode(await central.ReadAsync(central.Id(IdsCharacteristic.Features)), central.Dialect);
        Assert.Equal(1, features.E2eCounter);
        Assert.Equal(100m, features.InsulinConcentration.ToDecimal());
        Assert.True(features.StandardFlags.HasFlag(
            IdsFeatureFlags.E2eProtectionSupported | IdsFeatureFlags.BasalRateSupported | IdsFeatureFlags.TbrAbsoluteSupported | IdsFeatureFlags.TbrRelativeSupported
            | IdsFeatureFlags.FastBolusSupported | IdsFeatureFlags.ExtendedBolusSupported | IdsFeatureFlags.MultiwaveBolusSupported));
        Assert.False(features.StandardFlags.HasFlag(IdsFeatureFlags.IsfProfileTemplateSupported));
        Assert.Equal(2, IdsFeaturesCodec.Decode(await central.ReadAsync(central.Id(IdsCharacteristic.Features)), central.Dialect).E2eCounter);

        var status = await central.ReadAsync(IdsCharacteristic.Status, (v, d) => IdsStatusCodec.Decode(v, d));
        Assert.Equal(scenario.Status.Suspended, status.TherapyControlState != IdsTherapyControlState.Run);
        Assert.Equal(IdsOperationalState.Ready, status.OperationalState);
        Assert.True(status.ReservoirAttached);
        Assert.InRange(status.ReservoirRemainingAmount.ToDecimal()!.Value, scenario.Status.ReservoirUnits - 0.5m, scenario.Status.ReservoirUnits + 0.5m);
        Assert.Null((await central.ReadAsync(IdsCharacteristic.AnnunciationStatus, (v, d) => IdsAnnunciationStatusCodec.Decode(v, d))).Annunciation);

        Assert.Equal("IDS-TEST-7", DeviceInformationCodec.DecodeString(await central.ReadAsync(new GattCharacteristicId(DeviceInformationUuids.DeviceInformationService, DeviceInformationUuids.SerialNumberString))));
        Assert.Equal("PumpGateway Fakes", DeviceInformationCodec.DecodeString(await central.ReadAsync(new GattCharacteristicId(DeviceInformationUuids.DeviceInformationService, DeviceInformationUuids.ManufacturerNameString))));
        var systemId = DeviceInformationCodec.DecodeSystemId(await central.ReadAsync(new GattCharacteristicId(DeviceInformationUuids.DeviceInformationService, DeviceInformationUuids.SystemId)));
        Assert.Equal(IdsPumpEmulator.SystemId("IDS-TEST-7"), systemId);
        Assert.NotEqual(IdsPumpEmulator.SystemId("IDS-TEST-8"), systemId);
        Assert.Equal(scenario.Status.BatteryPercent, DeviceInformationCodec.DecodeBatteryLevel(await central.ReadAsync(new GattCharacteristicId(DeviceInformationUuids.BatteryService, DeviceInformationUuids.BatteryLevel))));
        await Assert.ThrowsAsync<GattErrorException>(() => central.WriteAsync(IdsCharacteristic.Status, [0x01]));
    }

    [Fact]
    public async Task Live_the_pump_records_what_happens_and_indicates_what_changed()
    {
        var scenario = Scenario(seed: 13, days: 1);
        var (pump, central) = IdsTestCentral.Detached(scenario, Frozen);
        await using var _ = pump;
        var before = pump.History.Count;

        // A day on, with its midnight total, reservoir levels, boluses, basal changes. Like BLEIDSSim history.py
        // add_history_event (status changed 0x80), every recorded event sets "history event recorded".
        var added = pump.AdvanceTo(scenario.Now.AddHours(24));
        Assert.Equal(pump.History.Skip(before), added.Select(e => e.Event));
        Assert.Contains(added, e => e.Event is IdsTotalDailyInsulinDeliveryEvent);
        var indications = (await central.DrainAsync(TimeSpan.FromMilliseconds(300))).Where(n => n.Characteristic == central.Id(IdsCharacteristic.StatusChanged)).ToList();
        var flags = IdsStatusChangedCodec.Decode(Assert.Single(indications).Value, central.Dialect).Flags;
        Assert.True(flags.HasFlag(IdsStatusChangedFlags.HistoryEventRecorded | IdsStatusChangedFlags.ActiveBolusStatusChanged | IdsStatusChangedFlags.TotalDailyInsulinStatusChanged | IdsStatusChangedFlags.ReservoirStatusChanged));

        var raised = pump.RaiseAnnunciation(IdsAnnunciationType.OcclusionDetected);
        Assert.NotNull(raised.IndicatedAt);
        var annunciation = IdsAnnunciationStatusCodec.Decode((await central.NextAsync(IdsCharacteristic.AnnunciationStatus)).Value, central.Dialect);
        Assert.Equal(new IdsAnnunciation(raised.InstanceId, IdsAnnunciationType.OcclusionDetected, IdsAnnunciationState.Pending), annunciation.Annunciation);
        Assert.Equal(
            IdsStatusChangedFlags.AnnunciationStatusChanged | IdsStatusChangedFlags.HistoryEventRecorded,
            IdsStatusChangedCodec.Decode((await central.NextAsync(IdsCharacteristic.StatusChanged)).Value, central.Dialect).Flags);
        Assert.Equal(raised.InstanceId, (await central.ReadAsync(IdsCharacteristic.AnnunciationStatus, (v, d) => IdsAnnunciationStatusCodec.Decode(v, d))).Annunciation?.InstanceId);

        Assert.True(pump.SnoozeAnnunciation(raised.InstanceId));
        Assert.True(pump.ConfirmAnnunciation(raised.InstanceId));
        Assert.False(pump.ConfirmAnnunciation(raised.InstanceId));
        var recorded = pump.History.OfType<IdsAnnunciationStatusChangedPart1Event>().Where(e => e.InstanceId == raised.InstanceId).Select(e => e.Status);
        Assert.Equal(new[] { IdsAnnunciationState.Pending, IdsAnnunciationState.Snoozed, IdsAnnunciationState.Confirmed }, recorded);

        // Everything recorded live reaches a central that downloads again, in order, after the first download's last.
        var (records, _) = await central.RacpAsync(IdsRacpRequest.ReportFrom(pump.History[before].SequenceNumber));
        Assert.Equal(pump.History.Skip(before), records);
    }

    [Fact]
    public async Task With_a_time_scale_the_pump_follows_the_real_clock_on_its_own()
    {
        var scenario = Scenario(seed: 14, days: 1);
        var from = scenario.Now;
        var (pump, central) = IdsTestCentral.Detached(scenario, new IdsPumpOptions { TimeScale = 3600, LiveTick = TimeSpan.FromMilliseconds(50) });
        await using var _ = pump;
        var before = pump.History.Count;
        var changed = await central.NextAsync(IdsCharacteristic.StatusChanged);
        Assert.True(IdsStatusChangedCodec.Decode(changed.Value, central.Dialect).Flags.HasFlag(IdsStatusChangedFlags.HistoryEventRecorded));
        Assert.True(scenario.Now > from);
        Assert.True(pump.History.Count > before);
    }

    [Theory]
    [MemberData(nameof(PlainDialects))]
    public async Task Without_e2e_and_with_float_insulin_the_pump_serves_the_same_history_and_status(string name, IdsDialect dialect)
    {
        var scenario = Scenario(seed: 15, days: 2);
        var (pump, central) = IdsTestCentral.Detached(scenario, Frozen with { Dialect = dialect });
        await using var _ = pump;

        Assert.Equal(dialect.HistoryOnGenericRacp ? GattUuid.FromShort(0x2A52) : GattUuid.FromShort(0x2B27), central.Id(IdsCharacteristic.RecordAccessControlPoint).Characteristic);
        Assert.Contains(pump.Definition().Services[0].Characteristics, c => c.Uuid == central.Id(IdsCharacteristic.RecordAccessControlPoint).Characteristic);
        var (records, done) = await central.RacpAsync(IdsRacpRequest.ReportAll());
        Assert.Equal(pump.History, records);
        Assert.Equal(new IdsRacpResult(IdsRacpOpCode.ReportStoredRecords, IdsRacpResponseCode.Success), done);
        var features = IdsFeaturesCodec.Decode(await central.ReadAsync(central.Id(IdsCharacteristic.Features)), dialect);
        Assert.False(features.E2eProtectionSupported);
        Assert.Equal(0, features.E2eCounter);
        var total = Assert.IsType<IdsTotalDailyInsulinStatus>(await central.StatusReaderAsync(new IdsGetTotalDailyInsulinStatus()));
        var today = scenario.Status.TodayBasalUnits + scenario.Status.TodayBolusUnits;

        // An SFLOAT holds 34.05 IU only as 34.1; a FLOAT holds it exactly.
        Assert.InRange(total.BolusAndBasal.ToDecimal()!.Value, today - (dialect.InsulinAsFloat ? 0 : 0.05m), today + (dialect.InsulinAsFloat ? 0 : 0.05m));
        var status = IdsStatusCodec.Decode(await central.ReadAsync(central.Id(IdsCharacteristic.Status)), dialect);
        Assert.Null(status.E2eCounter);
        if (dialect.InsulinAsFloat)
        {
            // FLOAT holds the reservoir to the last pulse.
            Assert.Equal(scenario.Status.ReservoirUnits, status.ReservoirRemainingAmount.ToDecimal());
        }

        Assert.NotEmpty(name);
    }

    public static TheoryData<string, IdsDialect> PlainDialects => new()
    {
        { "specification without E2E", IdsDialect.Specification },
        { "MiniMed 700 (FLOAT insulin, RACP on 0x2A52)", IdsDialect.MedtronicMiniMed700 },
    };

    [Fact]
    public async Task A_wearer_advanced_by_another_emulator_still_has_every_therapy_event_recorded_in_order()
    {
        var wearer = new Wearer(new TherapyScenarioOptions { Seed = 16, Start = Start, Duration = TimeSpan.FromDays(1) });
        var (pump, _) = IdsTestCentral.Detached(wearer.Therapy, Frozen);
        await using var _ = pump;

        // A CGM emulator on the same wearer moves it on by half a day; the pump then catches up.
        wearer.AdvanceTo(wearer.Now.AddHours(12));
        pump.AdvanceTo(wearer.Now.AddMinutes(1));
        var expected = IdsPumpHistory.Of(wearer.Therapy.Events, Frozen).Entries;
        Assert.Equal(expected, pump.HistoryEntries);
        Assert.Contains(pump.HistoryEntries, e => e.Source!.Time >= Start.AddDays(1).AddHours(6));
    }

    private static TherapyScenario Scenario(int seed, int days, double exercise = 3) =>
        new(new TherapyScenarioOptions { Seed = seed, Start = Start, Duration = TimeSpan.FromDays(days), ExercisePerWeek = exercise });

    private static async Task AdvanceUntilAsync(IdsPumpEmulator pump, Func<PumpStatus, bool> until)
    {
        for (var minutes = 0; minutes < 3 * 24 * 60 && !until(pump.Scenario.Status); minutes++)
        {
            pump.AdvanceTo(pump.Scenario.Now.AddMinutes(1));
        }

        Assert.True(until(pump.Scenario.Status), "the scenario never got there");
        await Task.Yield();
    }

    /// <summary>The answer on a control point, skipping the data notifications a read brings before it.</summary>
    private static async Task<byte[]> NextAnswerAsync(IdsTestCentral central, IdsCharacteristic controlPoint)
    {
        while (true)
        {
            var notification = await central.NextAsync(controlPoint, IdsCharacteristic.HistoryData, IdsCharacteristic.CommandData);
            if (notification.Characteristic == central.Id(controlPoint))
            {
                return notification.Value;
            }
        }
    }

    /// <summary>
    /// An answer decodes with the codec, or is the Response Code the codec cannot write: the op code
    /// of the request (zeros past its end) refused as not supported, or as invalid when it was cut short.
    /// </summary>
    private static void AssertAnswer(IdsTestCentral central, IdsCharacteristic controlPoint, byte[] request, byte[] value)
    {
        var body = central.Opened(value);
        try
        {
            _ = controlPoint switch
            {
                IdsCharacteristic.RecordAccessControlPoint => (object)IdsRacpCodec.DecodeResponse(value, central.Dialect),
                IdsCharacteristic.StatusReaderControlPoint => IdsStatusReaderCodec.DecodeResponse(value, central.Dialect),
                _ => IdsCommandControlPointCodec.DecodeResponse(value, central.Dialect),
            };
        }
        catch (ProtocolException ex) when (ex.Kind == ProtocolErrorKind.UnknownCommand)
        {
            var opCodeSize = controlPoint == IdsCharacteristic.RecordAccessControlPoint ? 1 : 2;
            var opCode = request.Concat(new byte[2]).Take(opCodeSize);
            var expected = controlPoint switch
            {
                IdsCharacteristic.RecordAccessControlPoint => new byte[] { 0x0F, 0x0F },
                IdsCharacteristic.StatusReaderControlPoint => [0x03, 0x03],
                _ => [0x55, 0x0F],
            };
            Assert.Equal(expected.Concat(opCode), body[..^1]);
            var cutShort = request.Length < opCodeSize;
            Assert.Equal(controlPoint == IdsCharacteristic.RecordAccessControlPoint ? (cutShort ? 0x05 : 0x02) : (cutShort ? 0x71 : 0x70), body[^1]);
        }
    }
}
