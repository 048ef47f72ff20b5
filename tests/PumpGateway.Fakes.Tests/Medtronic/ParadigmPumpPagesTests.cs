using PumpGateway.Devices.Medtronic;
using PumpGateway.Fakes.Medtronic;
using PumpGateway.Fakes.Scenario;
using PumpGateway.TestSupport;

namespace PumpGateway.Fakes.Tests.Medtronic;

/// <summary>The pump's page stores on their own, answered over the air without a stick in between.</summary>
public sealed class ParadigmPumpPagesTests
{
    private static readonly DateTime Start = new(2026, 5, 4, 6, 0, 0);

    [Fact]
    public void The_history_keeps_the_newest_36_pages_and_its_page_counter_keeps_counting()
    {
        var options = new TherapyScenarioOptions { Start = Start };

        // 7-byte Rewind records: 146 fill a page's 1022 bytes.
        var events = Enumerable.Range(0, 146 * 40).Select(i => (TherapyEvent)new Rewound(Start.AddMinutes(i), i + 1)).ToList();
        var history = ParadigmPumpHistory.Of(events, MedtronicModel.Paradigm554, options);

        Assert.Equal((36, 39u), (history.PageCount, history.CurrentPageNumber));
        Assert.Equal(146, history.Entries(1).Count);
        Assert.Equal(events[^146..], history.Entries(0).Select(e => e.Source!));
        Assert.Equal(events[(146 * 4)..(146 * 5)], history.Entries(35).Select(e => e.Source!));
        var page = MedtronicPageCodec.Decode(history.Encode(35), MedtronicModel.Paradigm554);
        Assert.Equal(Start.AddMinutes(146 * 4), ((MedtronicTimedRecord)page.Records[0]).Time);
        Assert.Equal(36, new ParadigmPumpOptions().MaxHistoryPages);
    }

    [Fact]
    public void Glucose_below_40_and_above_400_are_their_markers_and_a_gap_is_closed_and_reopened_by_timestamps()
    {
        var glucose = new ParadigmGlucoseHistory(firstPageNumber: 12);
        GlucoseSample At(int minutes, int mgDl) => new(Start.AddMinutes(minutes).AddSeconds(17), mgDl, 0);
        foreach (var sample in new[] { At(0, 38), At(5, 121), At(10, 402), At(40, 97), At(45, 100) })
        {
            glucose.Append(sample);
        }

        var entries = MedtronicGlucosePageCodec.Decode(glucose.Encode(12)!).Entries;
        Assert.Equal(
            [
                ("SensorTimestamp LastRf", Start.AddMinutes(-5)),
                ("GlucoseBelow40", Start),
                ("SensorGlucose 122", Start.AddMinutes(5)),
                ("GlucoseAbove400", Start.AddMinutes(10)),
                ("SensorTimestamp Gap", Start.AddMinutes(10)),
                ("SensorTimestamp LastRf", Start.AddMinutes(35)),
                ("SensorGlucose 98", Start.AddMinutes(40)),
                ("SensorGlucose 100", Start.AddMinutes(45)),
            ],
            entries.Select(e => (e.Record switch
            {
                MedtronicSensorGlucose g => $"SensorGlucose {g.MgDl}",
                MedtronicGlucoseTimestamped t => $"SensorTimestamp {t.TimestampKind}",
                var other => other.Type.ToString(),
            }, e.Time!.Value)));
        Assert.Null(glucose.Encode(11));
        Assert.Equal([12u], glucose.PageNumbers);
    }

    [Fact]
    public void A_full_glucose_page_closes_with_a_page_end_timestamp_and_the_next_page_takes_the_next_number()
    {
        var glucose = new ParadigmGlucoseHistory(firstPageNumber: 3, maxPages: 2);
        var samples = Enumerable.Range(0, 2500).Select(i => new GlucoseSample(Start.AddMinutes(5 * i), 100 + (i % 50), 0)).ToList();
        foreach (var sample in samples)
        {
            glucose.Append(sample);
        }

        Assert.Equal([4u, 5u], glucose.PageNumbers);
        var four = MedtronicGlucosePageCodec.Decode(glucose.Encode(4)!).Entries;
        var five = MedtronicGlucosePageCodec.Decode(glucose.Encode(5)!).Entries;
        var last = Assert.IsType<MedtronicGlucoseTimestamped>(four[^1].Record);
        Assert.Equal(MedtronicSensorTimestampKind.PageEnd, last.TimestampKind);
        Assert.Equal(four.Last(e => e.Record is MedtronicSensorGlucose).Time, last.Timestamp.Time);
        var readings = four.Concat(five).Where(e => e.Record is MedtronicSensorGlucose).Select(e => (e.Time!.Value, ((MedtronicSensorGlucose)e.Record).MgDl)).ToList();
        Assert.Equal(samples.TakeLast(readings.Count).Select(s => (s.Time, s.MgDl % 2 == 0 ? s.MgDl : s.MgDl + 1)), readings);
        Assert.Equal(1, four.Count(e => e.Record is MedtronicGlucoseTimestamped { TimestampKind: MedtronicSensorTimestampKind.LastRf }));
    }

    [Fact]
    public async Task A_glucose_scenario_fills_the_glucose_pages_gap_free_and_goes_on_drawing_samples_when_advanced()
    {
        var therapy = new TherapyScenario(new TherapyScenarioOptions { Seed = 3, Start = Start, Duration = TimeSpan.FromDays(2) });
        var glucose = new GlucoseScenario(new GlucoseScenarioOptions { Seed = 3, Start = Start, Duration = TimeSpan.FromDays(2) });
        await using var pump = ParadigmPumpEmulator.FromScenario(therapy, glucose, new ParadigmPumpOptions { StartAwake = true, TimeScale = 0 });

        List<(DateTime, int)> Readings() => [.. pump.GlucosePages.SelectMany(p => MedtronicGlucosePageCodec.Decode(p.Bytes).Entries)
            .Where(e => e.Record is MedtronicSensorGlucose).Select(e => (e.Time!.Value, ((MedtronicSensorGlucose)e.Record).MgDl))];
        Assert.Equal(glucose.History.Select(s => (s.Time, 2 * (int)Math.Round(s.MgDl / 2.0, MidpointRounding.AwayFromZero))), Readings());
        Assert.DoesNotContain(pump.GlucosePages.SelectMany(p => p.Entries!), e => e.Record is MedtronicGlucoseTimestamped { TimestampKind: MedtronicSensorTimestampKind.Gap });

        pump.AdvanceTo(Start.AddDays(2).AddHours(1));
        var readings = Readings();
        Assert.Equal(2 * 288 + 12, readings.Count);
        Assert.Equal(Start.AddDays(2).AddMinutes(55), readings[^1].Item1);

        var answer = pump.Answer(ParadigmCommands.Read("665455", ParadigmCommandCode.ReadCurGlucosePageNumber));
        Assert.Equal(pump.GlucosePageNumber, ParadigmReplies.DecodeCurrentGlucosePageNumber(answer.Data));
        Assert.Equal(ParadigmAnswerKind.None, pump.Answer(ParadigmCommands.Read("665456", ParadigmCommandCode.ReadPumpModel)).Kind);
    }

    [Fact]
    public async Task Real_pages_that_do_not_decode_are_served_verbatim_with_no_records_for_ground_truth()
    {
        var page0 = File.ReadAllBytes(SharedFiles.Fixture("medtronic", "model-554", "ReadHistoryData-page-0.data"));
        var badCrc = File.ReadAllBytes(SharedFiles.Fixture("medtronic", "model-554", "ReadHistoryData-page-8.data"));
        await using var pump = ParadigmPumpEmulator.FromPages(MedtronicModel.Paradigm554, [page0, badCrc], new Dictionary<uint, byte[]>(), new ParadigmPumpOptions { Serial = "123456", StartAwake = true });

        Assert.NotNull(pump.HistoryPages[0].Entries);
        Assert.Null(pump.HistoryPages[1].Entries);
        Assert.Equal(badCrc, ParadigmReplies.DecodePage(pump.Answer(ParadigmCommands.ReadHistoryData("123456", 1)).Data));
        Assert.Equal(ParadigmAnswerKind.Nak, pump.Answer(ParadigmCommands.ReadHistoryData("123456", 2)).Kind);
        Assert.Equal(new ParadigmGlucosePageNumber(0, 0, 0), pump.GlucosePageNumber);
        Assert.Equal("554", ParadigmReplies.DecodePumpModel(pump.Answer(ParadigmCommands.Read("123456", ParadigmCommandCode.ReadPumpModel)).Data));

        // x23 pumps count 40 strokes per unit: the reservoir is answered in bytes 2-3.
        Assert.Equal(87.5m, ParadigmReplies.DecodeRemainingInsulin(pump.Answer(ParadigmCommands.Read("123456", ParadigmCommandCode.ReadRemainingInsulin)).Data, 40));
        Assert.Throws<InvalidOperationException>(() => pump.AdvanceTo(Start));
    }
}
