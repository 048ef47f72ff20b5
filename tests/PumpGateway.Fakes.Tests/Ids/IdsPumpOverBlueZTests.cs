using Microsoft.Extensions.Logging.Abstractions;
using PumpGateway.Codecs;
using PumpGateway.Devices.Gatt;
using PumpGateway.Devices.Ids;
using PumpGateway.Fakes.BlueZ;
using PumpGateway.Fakes.Ids;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Ports;
using PumpGateway.Protocol;
using PumpGateway.Transports.Bluetooth;

namespace PumpGateway.Fakes.Tests.Ids;

/// <summary>
/// The pump registered as a BlueZ GATT application on the loopback, on a private dbus-daemon, and
/// a small IDS central on the gateway's own BlueZ client and transport: discovery, GATT database,
/// reads, the three control points, E2E refusals and a live annunciation, all over D-Bus.
/// </summary>
public sealed class IdsPumpOverBlueZTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = IdsTestCentral.Timeout;
    private static readonly DateTime Start = new(2026, 11, 1);
    private readonly List<IAsyncDisposable> _owned = [];
    private PrivateDBusDaemon? _bus;
    private BlueZLoopback? _loopback;

    public async Task InitializeAsync()
    {
        _bus = await PrivateDBusDaemon.StartAsync(CancellationToken.None);
        _loopback = await BlueZLoopback.StartAsync(_bus.Address).WaitAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        await _loopback!.DisposeAsync();
        await _bus!.DisposeAsync();
    }

    [Fact]
    public async Task The_gateway_finds_the_pump_by_its_service_and_reads_features_status_and_device_information()
    {
        var scenario = Scenario(days: 1);
        var (pump, transport, central) = await ConnectAsync(scenario, new IdsPumpOptions { TimeScale = 0, SerialNumber = "IDS-BLUEZ-1" });

        Assert.Equal(IdsPumpEmulator.Appearance, pump.Peripheral.Definition.Appearance);
        Assert.Equal([IdsUuids.InsulinDeliveryService], pump.Peripheral.Definition.AdvertisedServices);
        // The flags BLEIDSSim app.py gives its IDS characteristics, which are the specification's.
        var ids = transport.Services.Single(s => s.Uuid == IdsUuids.InsulinDeliveryService);
        string Flags(Guid uuid) => string.Join(",", ids.Characteristics.Single(c => c.Uuid == uuid).Flags);
        Assert.Equal("read,indicate", Flags(IdsUuids.StatusChanged));
        Assert.Equal("read,indicate", Flags(IdsUuids.Status));
        Assert.Equal("read,indicate", Flags(IdsUuids.AnnunciationStatus));
        Assert.Equal("read", Flags(IdsUuids.Features));
        Assert.Equal("write,indicate", Flags(IdsUuids.StatusReaderControlPoint));
        Assert.Equal("write,indicate", Flags(IdsUuids.CommandControlPoint));
        Assert.Equal("notify", Flags(IdsUuids.CommandData));
        Assert.Equal("write,indicate", Flags(IdsUuids.RecordAccessControlPoint));
        Assert.Equal("notify", Flags(IdsUuids.HistoryData));
        Assert.Contains(transport.Services, s => s.Uuid == DeviceInformationUuids.DeviceInformationService && s.Characteristics.Count == 7);
        Assert.Contains(transport.Services, s => s.Uuid == DeviceInformationUuids.BatteryService);

        var features = IdsFeaturesCodec.Decode(await central.ReadAsync(central.Id(IdsCharacteristic.Features)), central.Dialect);
        Assert.True(features.E2eProtectionSupported);
        Assert.Equal(MedicalFloat.SFloatOf(100, 0), features.InsulinConcentration);
        var status = await central.ReadAsync(IdsCharacteristic.Status, (v, d) => IdsStatusCodec.Decode(v, d));
        Assert.Equal(IdsOperationalState.Ready, status.OperationalState);
        Assert.Equal(scenario.Status.Suspended, status.TherapyControlState != IdsTherapyControlState.Run);
        Assert.Equal("IDS-BLUEZ-1", DeviceInformationCodec.DecodeString(await transport.ReadAsync(new GattCharacteristicId(DeviceInformationUuids.DeviceInformationService, DeviceInformationUuids.SerialNumberString), CancellationToken.None)));
        Assert.Equal((byte)scenario.Status.BatteryPercent, DeviceInformationCodec.DecodeBatteryLevel(await transport.ReadAsync(new GattCharacteristicId(DeviceInformationUuids.BatteryService, DeviceInformationUuids.BatteryLevel), CancellationToken.None)));
    }

    [Fact]
    public async Task The_racp_counts_the_history_then_reports_every_event_in_order_and_ends_with_success()
    {
        var scenario = Scenario(days: 6);
        var (pump, _, central) = await ConnectAsync(scenario, new IdsPumpOptions { TimeScale = 0, FirstSequenceNumber = 40_000 });
        var history = pump.History;
        Assert.True(history.Count > 300, $"only {history.Count} events");

        var (none, count) = await central.RacpAsync(IdsRacpRequest.CountAll());
        Assert.Empty(none);
        Assert.Equal((uint)history.Count, Assert.IsType<IdsRacpRecordCount>(count).Count);

        var (records, done) = await central.RacpAsync(IdsRacpRequest.ReportAll());
        Assert.Equal(history, records);
        Assert.Equal(IdsRacpResponseCode.Success, Assert.IsType<IdsRacpResult>(done).ResponseCode);
        var parts = IdsHistoryParts.Join(records.OfType<IdsBolusDeliveredPart1Event>().First(), records.OfType<IdsBolusDeliveredPart2Event>().First());
        Assert.Equal(scenario.Events.OfType<BolusDelivered>().First().BolusId, parts.BolusId);

        var from = history[history.Count / 2].SequenceNumber;
        var (rest, ended) = await central.RacpAsync(IdsRacpRequest.ReportFrom(from));
        Assert.Equal(history.Where(e => e.SequenceNumber >= from), rest);
        Assert.Equal(IdsRacpResponseCode.Success, Assert.IsType<IdsRacpResult>(ended).ResponseCode);
    }

    [Fact]
    public async Task A_status_reader_request_and_a_command_read_are_answered_by_indication()
    {
        var scenario = Scenario(days: 1);
        var (pump, _, central) = await ConnectAsync(scenario, new IdsPumpOptions { TimeScale = 0 });

        var total = Assert.IsType<IdsTotalDailyInsulinStatus>(await central.StatusReaderAsync(new IdsGetTotalDailyInsulinStatus()));
        Assert.Equal(scenario.Status.TodayBasalUnits, total.Basal.ToDecimal());
        Assert.Equal(scenario.Status.TodayBolusUnits, total.Bolus.ToDecimal());
        var basal = Assert.IsType<IdsActiveBasalRateDelivery>(await central.StatusReaderAsync(new IdsGetActiveBasalRateDelivery()));
        Assert.Equal(scenario.Options.BasalRates[scenario.Status.Time.Hour], basal.CurrentRate.ToDecimal());

        var (blocks, done) = await central.CommandAsync(new IdsReadProfileTemplate(IdsProfile.BasalRate, 1));
        Assert.Equal(IdsCommandResponseCode.Success, Assert.IsType<IdsCommandResult>(done).ResponseCode);
        var hourly = blocks.Cast<IdsProfileTemplateTimeBlocks>().SelectMany(b => b.TimeBlocks).SelectMany(b => Enumerable.Repeat(b.Value.ToDecimal(), b.DurationMinutes / 60));
        Assert.Equal(scenario.Options.BasalRates.Select(r => (decimal?)r), hourly);
        Assert.Empty(pump.RefusedCommands);
    }

    [Theory]

    // Op codes of BLEIDSSim datatypes.py CommandControlOpCodes: set bolus (the body CCInsulinDelivery composes:
    // flags, fast, 1.0 IU), set TBR adjustment (absolute 0.5 IU/h for 30 min), set therapy control state (stop),
    // cancel bolus 1, start priming 2.0 IU, set max bolus amount 30 IU.
    [InlineData("4B 11 00 33 0A 00 01")]
    [InlineData("FF 0F 00 33 32 E0 1E 00")]
    [InlineData("5A 0F 33")]
    [InlineData("78 11 01 00")]
    [InlineData("7B 12 14 F0")]
    [InlineData("8D 14 1E 00")]
    public async Task A_command_that_would_change_delivery_is_refused_kept_and_changes_nothing(string command)
    {
        var scenario = Scenario(days: 1);
        var (pump, _, central) = await ConnectAsync(scenario, new IdsPumpOptions { TimeScale = 0 });
        var events = scenario.Events.Count;
        var history = pump.History;
        var body = TestSupport.Hex.Parse(command);

        var sealedCommand = central.Seal(IdsCharacteristic.CommandControlPoint, body);
        await central.WriteAsync(IdsCharacteristic.CommandControlPoint, sealedCommand);
        var answer = central.Opened((await central.NextAsync(IdsCharacteristic.CommandControlPoint)).Value);

        Assert.Equal(new byte[] { 0x55, 0x0F, body[0], body[1], 0x70 }, answer);
        Assert.Equal(sealedCommand, Assert.Single(pump.RefusedCommands));
        Assert.False(pump.EverChangedTherapy);
        Assert.Equal(events, scenario.Events.Count);
        Assert.Equal(history, pump.History);
        Assert.Equal(ProtocolErrorKind.UnknownCommand, Assert.Throws<ProtocolException>(() => IdsCommandControlPointCodec.DecodeRequest(sealedCommand, central.Dialect)).Kind);
    }

    [Fact]
    public async Task A_write_with_a_bad_e2e_crc_is_refused_with_att_error_0x81_and_a_skipped_counter_with_0x82()
    {
        var (pump, _, central) = await ConnectAsync(Scenario(days: 1), new IdsPumpOptions { TimeScale = 0 });
        var request = IdsStatusReaderCodec.Encode(new IdsGetInsulinOnBoard { E2eCounter = central.PeekCounter(IdsCharacteristic.StatusReaderControlPoint) }, central.Dialect);
        request[^1] ^= 0x80;

        var refused = await Assert.ThrowsAsync<GattErrorException>(() => central.WriteAsync(IdsCharacteristic.StatusReaderControlPoint, request));
        Assert.Equal(BlueZNames.ErrorFailed, refused.ErrorName);
        Assert.Contains("0x81", refused.Message);
        Assert.False(pump.Peripheral.Writes.Single().Accepted);

        var skipped = IdsStatusReaderCodec.Encode(new IdsGetInsulinOnBoard { E2eCounter = 2 }, central.Dialect);
        Assert.Contains("0x82", (await Assert.ThrowsAsync<GattErrorException>(() => central.WriteAsync(IdsCharacteristic.StatusReaderControlPoint, skipped))).Message);

        // Neither spent the counter: the proper next request still goes through.
        Assert.IsType<IdsInsulinOnBoard>(await central.StatusReaderAsync(new IdsGetInsulinOnBoard()));
        Assert.Equal(new[] { false, false, true }, pump.Peripheral.Writes.Select(w => w.Accepted));
    }

    [Fact]
    public async Task An_annunciation_raised_live_reaches_the_central_as_an_indication_within_a_second()
    {
        var (pump, _, central) = await ConnectAsync(Scenario(days: 1), new IdsPumpOptions { TimeScale = 0 });

        var raised = pump.RaiseAnnunciation(IdsAnnunciationType.InfusionSetDetached);
        var indication = await central.NextAsync(IdsCharacteristic.AnnunciationStatus);
        var annunciation = IdsAnnunciationStatusCodec.Decode(indication.Value, central.Dialect).Annunciation;
        Assert.Equal(new IdsAnnunciation(raised.InstanceId, IdsAnnunciationType.InfusionSetDetached, IdsAnnunciationState.Pending), annunciation);
        Assert.NotNull(raised.IndicatedAt);
        Assert.InRange(indication.ReceivedAt - raised.IndicatedAt.Value, TimeSpan.Zero, TimeSpan.FromSeconds(1));

        var changed = IdsStatusChangedCodec.Decode((await central.NextAsync(IdsCharacteristic.StatusChanged)).Value, central.Dialect);
        Assert.True(changed.Flags.HasFlag(IdsStatusChangedFlags.AnnunciationStatusChanged | IdsStatusChangedFlags.HistoryEventRecorded));

        // The raised annunciation is in the history a download brings.
        var (records, _) = await central.RacpAsync(IdsRacpRequest.ReportLast());
        Assert.IsType<IdsAnnunciationStatusChangedPart2Event>(Assert.Single(records));
        var (pair, _) = await central.RacpAsync(IdsRacpRequest.ReportRange(records[0].SequenceNumber - 1, records[0].SequenceNumber));
        var joined = IdsHistoryParts.Join((IdsAnnunciationStatusChangedPart1Event)pair[0], (IdsAnnunciationStatusChangedPart2Event)pair[1]);
        Assert.Equal(annunciation, joined.Annunciation);
    }

    private static TherapyScenario Scenario(int days) => new(new TherapyScenarioOptions { Seed = 30 + days, Start = Start, Duration = TimeSpan.FromDays(days) });

    private async Task<(IdsPumpEmulator Pump, BlueZGattTransport Transport, IdsTestCentral Central)> ConnectAsync(TherapyScenario scenario, IdsPumpOptions options)
    {
        var pump = await IdsPumpEmulator.StartAsync(_bus!.Address, scenario, options).WaitAsync(Timeout);
        _owned.Add(pump);
        var client = await BlueZClient.ConnectAsync(
            new BlueZClientOptions { BusAddress = _bus.Address, CallTimeout = TimeSpan.FromSeconds(10), ConnectTimeout = TimeSpan.FromSeconds(10) },
            NullLoggerFactory.Instance,
            CancellationToken.None).WaitAsync(Timeout);
        _owned.Add(client);
        await client.StartDiscoveryAsync([IdsUuids.InsulinDeliveryService], CancellationToken.None).WaitAsync(Timeout);
        var device = await WaitForAsync(() => client.Devices.FirstOrDefault(d => d.Name == options.LocalName));
        var transport = client.CreateTransport(device);
        _owned.Add(transport);
        await transport.OpenAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);
        foreach (var service in transport.Services)
        {
            foreach (var characteristic in service.Characteristics.Where(c => c.Flags.Contains("notify") || c.Flags.Contains("indicate")))
            {
                await transport.SubscribeAsync(new GattCharacteristicId(service.Uuid, characteristic.Uuid), CancellationToken.None).AsTask().WaitAsync(Timeout);
            }
        }

        var central = new IdsTestCentral(
            options.Dialect,
            (id, value) => transport.WriteAsync(id, value, GattWriteKind.WithResponse, CancellationToken.None).AsTask(),
            id => transport.ReadAsync(id, CancellationToken.None).AsTask(),
            transport.Notifications);
        return (pump, transport, central);
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe)
        where T : class
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            if (probe() is { } found)
            {
                return found;
            }

            await Task.Delay(10, deadline.Token);
        }
    }
}
