using PumpGateway.Codecs;
using PumpGateway.Devices.Cgms;
using PumpGateway.Fakes.Cgms;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Ports;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests;

/// <summary>
/// A CGMS sensor emulator registered as a BlueZ GATT application on the loopback, on a private
/// dbus-daemon; the real gateway finds it by discovery, reads it over the BlueZ transport, stores
/// and streams its readings.
/// </summary>
public sealed class CgmsSensorTests
{
    private static readonly TimeSpan Timeout = TestGateway.Timeout;
    private static readonly GattCharacteristicId Measurement = new(CgmsUuids.CgmService, CgmsUuids.CgmMeasurement);

    [Fact]
    public async Task The_stored_session_and_live_readings_reach_a_subscriber_exactly_once_in_order()
    {
        await using var bench = await BluetoothBench.StartAsync();
        var scenario = Scenario(days: 2);
        await using var sensor = await CgmsSensorEmulator.StartAsync(bench.Bus.Address, scenario, new CgmsSensorOptions { LocalName = "CGM e2e-1" });
        var stored = sensor.Records;
        await using var gateway = await bench.StartGatewayAsync();
        using var cancel = new CancellationTokenSource(Timeout);

        var history = await gateway.ReadUntilAsync(0, events => SensorReadings(events).Count() >= stored.Count, cancel.Token);
        var readings = SensorReadings(history).ToList();
        Assert.Equal(stored.Select(r => (long)r.TimeOffsetMinutes), readings.Select(e => e.DeviceTimeRaw));
        Assert.Equal(stored.Select(r => (double)r.GlucoseMgDl.ToDecimal()!.Value), readings.Select(e => e.Glucose.MgDl));
        Assert.Equal(readings.Count, readings.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(sensor.SessionStartUtc.AddMinutes(stored[0].TimeOffsetMinutes), readings[0].UtcTime.ToDateTimeOffset());
        Assert.All(readings, e => Assert.Equal(Proto.TimeBasis.DeviceUtc, e.TimeBasis));

        var head = (ulong)await gateway.HeadAsync(cancel.Token);
        var live = new List<CgmMeasurement>();
        for (var i = 0; i < 5; i++)
        {
            live.Add(sensor.Record(scenario.NextSample())!);
        }

        var liveEvents = await gateway.ReadUntilAsync(head, events => SensorReadings(events).Count() >= live.Count, cancel.Token);
        Assert.Equal(live.Select(r => (long)r.TimeOffsetMinutes), SensorReadings(liveEvents).Select(e => e.DeviceTimeRaw));
    }

    [Fact]
    public async Task A_link_dropped_mid_transfer_resumes_from_the_cursor_with_nothing_missing_or_twice()
    {
        await using var bench = await BluetoothBench.StartAsync();
        var scenario = Scenario(days: 3);
        await using var sensor = await CgmsSensorEmulator.StartAsync(bench.Bus.Address, scenario, new CgmsSensorOptions { LocalName = "CGM e2e-2", RecordsPerNotification = 1 });
        var stored = sensor.Records;
        var link = await bench.Loopback.WaitForDeviceAsync("CGM e2e-2", Timeout);
        link.Faults.DropLinkAfterNotifications(stored.Count / 3);
        await using var gateway = await bench.StartGatewayAsync();
        using var cancel = new CancellationTokenSource(Timeout);

        var events = await gateway.ReadUntilAsync(0, e => SensorReadings(e).Count() >= stored.Count, cancel.Token);

        var readings = SensorReadings(events).ToList();
        Assert.Equal(stored.Select(r => (long)r.TimeOffsetMinutes), readings.Select(e => e.DeviceTimeRaw));
        Assert.Equal(readings.Count, readings.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(1, link.Counters.LinksDropped);

        // The second connection asked only for what followed the cursor.
        var transfers = sensor.Peripheral.Writes
            .Where(w => w.Characteristic.Characteristic == CgmsUuids.RecordAccessControlPoint)
            .Select(w => CgmRacpCodec.DecodeRequest(w.Value))
            .Where(r => r.Procedure == CgmRacpProcedure.ReportStoredRecords)
            .ToList();
        Assert.Equal(CgmRacpOperator.AllRecords, transfers[0].Operator);
        Assert.Equal(CgmRacpOperator.GreaterThanOrEqualTo, transfers[1].Operator);
        Assert.InRange(transfers[1].FromTimeOffset!.Value, stored[stored.Count / 4].TimeOffsetMinutes, stored[^1].TimeOffsetMinutes);
    }

    [Fact]
    public async Task A_measurement_with_a_bad_e2e_crc_is_rejected_and_never_stored()
    {
        await using var bench = await BluetoothBench.StartAsync();
        var scenario = Scenario(days: 1);
        await using var sensor = await CgmsSensorEmulator.StartAsync(bench.Bus.Address, scenario, new CgmsSensorOptions { LocalName = "CGM e2e-3" });
        await using var gateway = await bench.StartGatewayAsync();
        using var cancel = new CancellationTokenSource(Timeout);
        await gateway.ReadUntilAsync(0, e => SensorReadings(e).Count() >= sensor.Records.Count, cancel.Token);
        var head = (ulong)await gateway.HeadAsync(cancel.Token);

        var last = sensor.Records[^1];
        var forged = CgmMeasurementCodec.Encode(last with { TimeOffsetMinutes = (ushort)(last.TimeOffsetMinutes + 1), GlucoseMgDl = MedicalFloat.SFloatOf(39, 0) }, CgmsE2e.On);
        forged[^1] ^= 0x5A;
        Assert.True(sensor.Peripheral.Notify(Measurement, forged));
        var good = sensor.Record(scenario.NextSample())!;

        var after = await gateway.ReadUntilAsync(head, e => SensorReadings(e).Any(), cancel.Token);
        Assert.Equal((long)good.TimeOffsetMinutes, Assert.Single(SensorReadings(after)).DeviceTimeRaw);
        Assert.DoesNotContain(after, e => e.Glucose?.MgDl == 39);
    }

    [Fact]
    public async Task The_gateway_sends_the_sensor_nothing_but_reads()
    {
        await using var bench = await BluetoothBench.StartAsync();
        await using var sensor = await CgmsSensorEmulator.StartAsync(bench.Bus.Address, Scenario(days: 1), new CgmsSensorOptions { LocalName = "CGM e2e-4" });
        await using var gateway = await bench.StartGatewayAsync();
        using var cancel = new CancellationTokenSource(Timeout);
        await gateway.ReadUntilAsync(0, e => e.Any(x => x.Glucose?.Source == Proto.GlucoseReading.Types.Source.Calibration), cancel.Token);

        Assert.NotEmpty(sensor.Peripheral.Writes);
        Assert.All(sensor.Peripheral.Writes, write =>
        {
            Assert.True(write.Accepted);
            if (write.Characteristic.Characteristic == CgmsUuids.RecordAccessControlPoint)
            {
                Assert.NotEqual(CgmRacpProcedure.AbortOperation, CgmRacpCodec.DecodeRequest(write.Value).Procedure);
            }
            else
            {
                Assert.Equal(CgmsUuids.CgmSpecificOpsControlPoint, write.Characteristic.Characteristic);
                CgmSpecificOpsCodec.DecodeRequest(write.Value, CgmsE2e.On);
            }
        });
    }

    private static IEnumerable<Proto.TelemetryEvent> SensorReadings(IEnumerable<Proto.TelemetryEvent> events) =>
        events.Where(e => e.Kind == Proto.TelemetryKind.Glucose && e.Glucose.Source == Proto.GlucoseReading.Types.Source.Sensor);

    private static GlucoseScenario Scenario(int days)
    {
        var end = DateTime.SpecifyKind(DateTime.UtcNow.AddHours(1), DateTimeKind.Unspecified);
        return new GlucoseScenario(new GlucoseScenarioOptions { Seed = 40 + days, Start = end.AddDays(-days), Duration = TimeSpan.FromDays(days) });
    }
}
