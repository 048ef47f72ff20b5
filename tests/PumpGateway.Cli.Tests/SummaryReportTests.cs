using System.Buffers.Binary;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Google.Protobuf.WellKnownTypes;
using PumpGateway.Cli.Commands;
using PumpGateway.Cli.Commands.Report;
using Spectre.Console;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Cli.Tests;

/// <summary>
/// The review page and the tables, from a summary and events built by hand: three days in Paris of
/// a glucose sine every 5 minutes, meals with boluses, a basal schedule with a temporary basal and
/// a suspension, and two alarms.
/// </summary>
public sealed class SummaryReportTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void This_machine_has_a_font_for_the_text_of_the_page()
    {
        // Without one, Skia draws the page with no text at all: the other tests would pass on an unreadable page.
        Assert.False(SummaryReport.NoFonts, "No font is installed: apt-get install fonts-dejavu-core (.ci/run installs it when it runs as root).");
    }

    [Fact]
    public void The_svg_is_well_formed_and_shows_the_figures_as_the_table_formats_them()
    {
        var svg = SummaryReport.Render(SampleSummary.Summary(), SampleSummary.Events(), ReportFormat.Svg);

        File.WriteAllBytes(Path.Combine(SamplesFolder(), "summary-3-days.svg"), svg);
        var document = XDocument.Parse(System.Text.Encoding.UTF8.GetString(svg));
        Assert.Equal(Svg + "svg", document.Root!.Name);
        Assert.Equal("1600", document.Root.Attribute("width")?.Value);
        Assert.Equal("2000", document.Root.Attribute("height")?.Value);

        var all = document.Descendants(Svg + "text").Select(t => t.Value.Trim()).ToList();
        var texts = all.ToHashSet();
        Assert.Single(all, t => t == "Therapy review · pump-1");
        Assert.Single(all, t => t == "Time in range 70–180");
        Assert.Contains("Ambulatory glucose profile (AGP)", texts);
        Assert.Contains("Period 2026-11-02 00:00 – 2026-11-05 00:00 Europe/Paris (3 days)", texts);
        Assert.Contains("Time in range 70–180", texts);
        Assert.Contains("64.8 %", texts);
        Assert.Contains("> 70 %", texts);
        Assert.Contains("Coefficient of variation", texts);
        Assert.Contains("45.0 %", texts);
        Assert.Contains("≤ 36 %", texts);
        Assert.Contains("Time above 180", texts);
        Assert.Contains("22.8 %", texts);
        Assert.Contains("GMI", texts);
        Assert.Contains("6.7 %", texts);
        Assert.Contains("Mean glucose", texts);
        Assert.Contains("140 mg/dL", texts);
        Assert.Contains("45.2 U", texts);
        Assert.Contains("20.1 U (45 %) / 25.1 U (55 %)", texts);
        Assert.Contains("met", texts);
        Assert.Contains("not met", texts);

        // The days are the clinic's: the first panel is Monday 2 November in Paris, though it starts on 1 November in UTC.
        Assert.Contains("Mon 2026-11-02", texts);
        Assert.Contains("Tue 2026-11-03", texts);
        Assert.Contains("Wed 2026-11-04", texts);
        Assert.DoesNotContain("Sun 2026-11-01", texts);

        // Bolus units, the 12:30 and 12:45 boluses of the second day sharing a label, and the alarms by kind.
        Assert.Contains("6.5", texts);
        Assert.Contains("8+2", texts);
        Assert.Contains("glucose low", texts);
        Assert.Contains("occlusion", texts);
        Assert.Contains("occlusion 1 · glucose low 1", texts);

        Assert.Contains("significant", texts);
        Assert.Contains("repeated occlusions", texts);
        Assert.Contains("2026-11-04 10:00 – 11:30", texts);
        Assert.Contains("Occlusion alarm, then no delivery for 1 h 30 min", texts);
    }

    [Fact]
    public void The_png_has_the_png_signature_and_the_page_size_and_is_kept_to_look_at()
    {
        var png = SummaryReport.Render(SampleSummary.Summary(), SampleSummary.Events(), ReportFormat.Png);

        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(SummaryReport.Width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(SummaryReport.Height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));

        File.WriteAllBytes(Path.Combine(SamplesFolder(), "summary-3-days.png"), png);
    }

    [Fact]
    public void A_period_of_fourteen_days_and_more_draws_its_last_fourteen_days()
    {
        var summary = SampleSummary.Summary();
        summary.From = Timestamp.FromDateTimeOffset(SampleSummary.Start.AddDays(-17));
        var clock = ClinicClock.Of(summary);

        var days = DayTrace.DaysToDraw(summary, clock);

        Assert.Equal(14, days.Count);
        Assert.Equal(new DateOnly(2026, 10, 22), days[0]);
        Assert.Equal(new DateOnly(2026, 11, 4), days[^1]);
        var png = SummaryReport.Render(summary, SampleSummary.Events(), ReportFormat.Png);
        Assert.Equal(SummaryReport.Height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        File.WriteAllBytes(Path.Combine(SamplesFolder(), "summary-14-days.png"), png);
    }

    [Fact]
    public void A_summary_with_no_glucose_no_insulin_and_no_events_still_renders_and_says_so()
    {
        var summary = new Proto.Summary
        {
            DeviceId = "cgm-0",
            From = SampleSummary.Summary().From,
            To = SampleSummary.Summary().To,
            ClinicTimeZone = "Europe/Paris",
        };

        var texts = XDocument.Parse(System.Text.Encoding.UTF8.GetString(SummaryReport.Render(summary, [], ReportFormat.Svg)))
            .Descendants(Svg + "text").Select(t => t.Value.Trim()).ToHashSet();

        Assert.Contains("No sensor glucose in the period", texts);
        Assert.Contains("no insulin recorded in the period", texts);
        Assert.Contains("no glucose readings", texts);
        Assert.Contains("none raised in the period", texts);
    }

    [Fact]
    public void The_table_shows_each_metric_with_its_target_and_whether_it_is_met()
    {
        var text = SampleSummary.Table(SampleSummary.Summary());
        File.WriteAllText(Path.Combine(SamplesFolder(), "summary-3-days.txt"), text);

        Assert.Contains("Summary of pump-1: 2026-11-02 00:00 – 2026-11-05 00:00 Europe/Paris (3 days)", text);
        AssertRow(text, "Data for a report", "insufficient: a period of 3 days, under 14", "≥ 14 days, ≥ 70 % wear", "not met");
        AssertRow(text, "Sensor wear", "100.0 %", "≥ 70 %", "met");
        AssertRow(text, "Days with data", "3", "", "");
        AssertRow(text, "Mean glucose", "140 mg/dL");
        AssertRow(text, "Standard deviation", "63 mg/dL");
        AssertRow(text, "Coefficient of variation", "45.0 %", "≤ 36 %", "not met");
        AssertRow(text, "GMI", "6.7 %");
        AssertRow(text, "Time in range 70–180", "64.8 %", "> 70 %", "not met");
        AssertRow(text, "Time below 70", "12.4 %", "< 4 %", "not met");
        AssertRow(text, "Time below 54", "3.2 %", "< 1 %", "not met");
        AssertRow(text, "Time above 180", "22.8 %", "< 25 %", "met");
        AssertRow(text, "Time above 250", "0.0 %", "< 5 %", "met");
        AssertRow(text, "Total daily dose (3 days)", "45.2 U");
        AssertRow(text, "Basal / bolus per day", "20.1 U (45 %) / 25.1 U (55 %)");
        AssertRow(text, "Boluses per day", "4.3 (13 in all)");
        AssertRow(text, "Temporary basals", "1");
        AssertRow(text, "Suspensions", "1, 1 h 30 min in all");
        AssertRow(text, "Set changes", "1");
        AssertRow(text, "occlusion", "1");
        AssertRow(text, "glucose low", "1");
        AssertRow(text, "significant", "repeated occlusions", "2026-11-04 10:00 – 11:30", "Occlusion alarm, then no delivery for 1 h 30 min");
    }

    [Fact]
    public void A_target_exactly_at_its_limit_is_met_only_where_the_consensus_says_or_equal()
    {
        var glucose = SampleSummary.Summary().Glucose;
        glucose.CvPercent = 36;
        glucose.PercentInRange = 70;
        glucose.PercentBelow70 = 4;

        var text = SampleSummary.Table(new Proto.Summary(SampleSummary.Summary()) { Glucose = glucose });

        AssertRow(text, "Coefficient of variation", "36.0 %", "≤ 36 %", "met");
        AssertRow(text, "Time in range 70–180", "70.0 %", "> 70 %", "not met");
        AssertRow(text, "Time below 70", "4.0 %", "< 4 %", "not met");
    }

    [Fact]
    public void Sufficiency_is_the_gateways_verdict_with_the_period_and_the_wear_as_reasons()
    {
        var summary = SampleSummary.Summary();
        summary.Glucose.WearPercent = 52.5;
        Assert.Equal("insufficient: a period of 3 days, under 14; wear 52.5 %, under 70 %", SummaryFigures.Sufficiency(summary));

        summary.From = Timestamp.FromDateTimeOffset(SampleSummary.Start.AddDays(-11));
        Assert.Equal("insufficient: wear 52.5 %, under 70 %", SummaryFigures.Sufficiency(summary));

        // 11 days with data in 14 days of 75 % wear: the gateway says sufficient, and so does the table.
        summary.Glucose.WearPercent = 75;
        summary.Glucose.DaysWithData = 11;
        summary.Glucose.Sufficient = true;
        Assert.Equal("sufficient", SummaryFigures.Sufficiency(summary));
        AssertRow(SampleSummary.Table(summary), "Data for a report", "sufficient", "≥ 14 days, ≥ 70 % wear", "met");
    }

    [Theory]
    [InlineData("19.00", "19.0 U")]
    [InlineData("24.4", "24.4 U")]
    [InlineData("0.025", "0.025 U")]
    [InlineData("37.357692307692307692307692308", "37.36 U")]
    [InlineData("", "–")]
    public void Insulin_amounts_keep_a_devices_resolution_and_means_are_cut_to_hundredths(string text, string shown) =>
        Assert.Equal(shown, SummaryFigures.Units(text));

    [Fact]
    public void The_days_and_hours_of_the_traces_are_the_clinics()
    {
        var summary = SampleSummary.Summary();
        var reading = SampleSummary.Glucose(DateTimeOffset.Parse("2026-11-02T23:30:00Z", System.Globalization.CultureInfo.InvariantCulture), 123);

        var traces = DayTrace.Build(summary, [reading], ClinicClock.Of(summary));

        Assert.Equal([new DateOnly(2026, 11, 2), new DateOnly(2026, 11, 3), new DateOnly(2026, 11, 4)], traces.Select(t => t.Day));
        Assert.Empty(traces[0].SensorRuns);
        var point = Assert.Single(Assert.Single(traces[1].SensorRuns));
        Assert.Equal(0.5, point.Hour, 6);
        Assert.Equal(123, point.Value);
    }

    [Fact]
    public void The_basal_in_force_when_the_period_starts_comes_from_the_event_before_it()
    {
        var summary = SampleSummary.Summary();
        var traces = DayTrace.Build(summary, SampleSummary.Events(), ClinicClock.Of(summary));

        var first = traces[0].BasalRuns[0];
        Assert.Equal(new TracePoint(0, 0.7), first[0]);
        Assert.Equal(new TracePoint(3, 0.8), first[1]);
        Assert.Equal(24, first[^1].Hour, 6);
    }

    [Fact]
    public void Readings_further_apart_than_three_intervals_are_not_joined()
    {
        var summary = SampleSummary.Summary();
        var start = SampleSummary.Start;
        var readings = new[] { 0, 5, 10, 30, 35 }.Select(m => SampleSummary.Glucose(start.AddMinutes(m), 100)).ToList();

        var runs = DayTrace.Build(summary, readings, ClinicClock.Of(summary))[0].SensorRuns;

        Assert.Equal([3, 2], runs.Select(r => r.Count));
    }

    [Fact]
    public void A_temporary_percent_basal_scales_the_schedule_ends_by_itself_and_a_suspension_delivers_nothing()
    {
        var steps = BasalTimeline.Build(SampleSummary.Events());
        var day2 = SampleSummary.Start.AddDays(1);
        var day3 = SampleSummary.Start.AddDays(2);

        Assert.Equal(0.9, BasalTimeline.RateAt(steps, day2.AddHours(14.9)));
        Assert.Equal(0.45, BasalTimeline.RateAt(steps, day2.AddHours(15.5))!.Value, 6);
        Assert.Equal(0.9, BasalTimeline.RateAt(steps, day2.AddHours(17)));
        Assert.Equal(1.1, BasalTimeline.RateAt(steps, day3.AddHours(9.9)));
        Assert.Equal(0, BasalTimeline.RateAt(steps, day3.AddHours(10.5)));
        Assert.Equal(1.1, BasalTimeline.RateAt(steps, day3.AddHours(11.5)));
        Assert.Null(BasalTimeline.RateAt(steps, SampleSummary.Start.AddHours(-3)));
    }

    [Theory]
    [InlineData("review.svg", "Svg")]
    [InlineData("/tmp/Review.PNG", "Png")]
    [InlineData("review.pdf", null)]
    [InlineData("review", null)]
    [InlineData("review.svg.txt", null)]
    public void The_format_is_taken_from_the_extension(string path, string? expected) =>
        Assert.Equal(expected, SummaryReport.FormatOf(path)?.ToString());

    /// <summary>Where the pages the tests draw are kept, beside the test binaries, to be opened and looked at.</summary>
    private static string SamplesFolder() => Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "report-samples")).FullName;

    /// <summary>A table row holding these cells, in this order.</summary>
    private static void AssertRow(string table, params string[] cells)
    {
        var pattern = string.Join(@"\s*│\s*", cells.Select(Regex.Escape));
        Assert.Matches(new Regex(@"│\s*" + pattern + @"\s*│"), table);
    }
}

/// <summary>The summary and events the report tests draw: 2 to 4 November 2026 in Paris (UTC+1).</summary>
internal static class SampleSummary
{
    public static readonly DateTimeOffset Start = new(2026, 11, 2, 0, 0, 0, TimeSpan.FromHours(1));

    private static readonly double[] BasalSchedule = [0.8, 1.1, 0.9, 0.7];

    public static Proto.Summary Summary()
    {
        var glucose = new Proto.GlucoseMetrics
        {
            Readings = 864,
            ReadingInterval = Duration.FromTimeSpan(TimeSpan.FromMinutes(5)),
            MeanMgDl = 140,
            SdMgDl = 63,
            CvPercent = 45,
            GmiPercent = 6.66,
            PercentBelow54 = 3.2,
            PercentBelow70 = 12.4,
            PercentInRange = 64.8,
            PercentAbove180 = 22.8,
            PercentAbove250 = 0,
            WearPercent = 100,
            DaysWithData = 3,
            Sufficient = false,
        };
        for (var slot = 0; slot < 96; slot++)
        {
            var median = 140 + (60 * Math.Sin(2 * Math.PI * ((slot * 15) + 7.5 - 360) / 1440));
            glucose.Agp.Add(new Proto.AgpSlot
            {
                MinuteOfDay = slot * 15,
                Readings = 9,
                P5 = Math.Max(40, median - 55),
                P25 = median - 25,
                P50 = median,
                P75 = median + 30,
                P95 = median + 80,
            });
        }

        var insulin = new Proto.InsulinMetrics
        {
            TotalDailyDose = "45.2",
            BasalPerDay = "20.1",
            BolusPerDay = "25.1",
            BasalPercent = 44.5,
            Boluses = 13,
            BolusesPerDay = 4.33,
            TemporaryBasals = 1,
            Suspensions = 1,
            SuspendedTime = Duration.FromTimeSpan(TimeSpan.FromMinutes(90)),
            SetChanges = 1,
        };
        foreach (var day in new[] { "2026-11-02", "2026-11-03", "2026-11-04" })
        {
            insulin.Days.Add(new Proto.DailyInsulin { Day = day, Basal = "20.1", Bolus = "25.1", Total = "45.2", Source = Proto.DailyInsulin.Types.Source.Computed });
        }

        var summary = new Proto.Summary
        {
            DeviceId = "pump-1",
            From = Timestamp.FromDateTimeOffset(Start),
            To = Timestamp.FromDateTimeOffset(Start.AddDays(3)),
            ClinicTimeZone = "Europe/Paris",
            Glucose = glucose,
            Insulin = insulin,
        };
        summary.Alarms.Add(new Proto.AlarmCount { Kind = Proto.Alarm.Types.Kind.GlucoseLow, Count = 1 });
        summary.Alarms.Add(new Proto.AlarmCount { Kind = Proto.Alarm.Types.Kind.Occlusion, Count = 1 });
        summary.SetChanges.Add(Timestamp.FromDateTimeOffset(Start.AddDays(1).AddHours(9)));
        summary.Findings.Add(new Proto.Finding
        {
            DeviceId = "pump-1",
            Kind = Proto.Finding.Types.Kind.InfusionSetAge,
            Severity = Proto.Finding.Types.Severity.Warning,
            From = Timestamp.FromDateTimeOffset(Start.AddDays(1).AddHours(9)),
            To = Timestamp.FromDateTimeOffset(Start.AddDays(3)),
            Summary = "Infusion set worn 3 days since 2026-11-03 09:00",
        });
        summary.Findings.Add(new Proto.Finding
        {
            DeviceId = "pump-1",
            Kind = Proto.Finding.Types.Kind.RepeatedOcclusions,
            Severity = Proto.Finding.Types.Severity.Significant,
            From = Timestamp.FromDateTimeOffset(Start.AddDays(2).AddHours(10)),
            To = Timestamp.FromDateTimeOffset(Start.AddDays(2).AddHours(11.5)),
            Summary = "Occlusion alarm, then no delivery for 1 h 30 min",
        });
        return summary;
    }

    public static List<Proto.TelemetryEvent> Events()
    {
        var events = new List<Proto.TelemetryEvent>
        {
            // The rate in force when the period starts, set the evening before.
            Basal(Start.AddHours(-2), "0.7"),
        };
        for (var minute = 0; minute < 3 * 24 * 60; minute += 5)
        {
            var mgDl = Math.Round(140 + (90 * Math.Sin(2 * Math.PI * (minute - 360) / 1440.0)));
            events.Add(Glucose(Start.AddMinutes(minute), mgDl));
        }

        for (var day = 0; day < 3; day++)
        {
            var midnight = Start.AddDays(day);
            for (var segment = 0; segment < 4; segment++)
            {
                events.Add(Basal(midnight.AddHours(new[] { 3, 6, 12, 22 }[segment]), BasalSchedule[segment].ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            events.Add(Bolus(midnight.AddHours(7.5), "6.5"));
            events.Add(Bolus(midnight.AddHours(12.5), "8"));
            events.Add(Bolus(midnight.AddHours(19), "7.5"));
        }

        var day2 = Start.AddDays(1);
        events.Add(Bolus(day2.AddHours(12.75), "2"));
        events.Add(Event(day2.AddHours(4 + (10 / 60.0)), Proto.TelemetryKind.Alarm, e => e.Alarm = new Proto.Alarm
        {
            Kind = Proto.Alarm.Types.Kind.GlucoseLow,
            Severity = Proto.Alarm.Types.Severity.Warning,
            Transition = Proto.Alarm.Types.Transition.Raised,
        }));
        events.Add(Event(day2.AddHours(15), Proto.TelemetryKind.TemporaryBasal, e => e.TemporaryBasal = new Proto.TemporaryBasal
        {
            Phase = Proto.TemporaryBasal.Types.Phase.Started,
            Percent = 50,
            ProgrammedDuration = Duration.FromTimeSpan(TimeSpan.FromHours(2)),
        }));
        events.Add(Glucose(day2.AddHours(8), 160, Proto.GlucoseReading.Types.Source.Meter));

        var day3 = Start.AddDays(2);
        events.Add(Event(day3.AddHours(10), Proto.TelemetryKind.Alarm, e => e.Alarm = new Proto.Alarm
        {
            Kind = Proto.Alarm.Types.Kind.Occlusion,
            Severity = Proto.Alarm.Types.Severity.Alarm,
            Transition = Proto.Alarm.Types.Transition.Raised,
        }));
        events.Add(Event(day3.AddHours(10), Proto.TelemetryKind.DeliveryState, e => e.DeliveryState = new Proto.DeliveryState { Suspended = true, Reason = "occlusion" }));
        events.Add(Event(day3.AddHours(10.25), Proto.TelemetryKind.Alarm, e => e.Alarm = new Proto.Alarm
        {
            Kind = Proto.Alarm.Types.Kind.Occlusion,
            Severity = Proto.Alarm.Types.Severity.Alarm,
            Transition = Proto.Alarm.Types.Transition.Cleared,
        }));
        events.Add(Event(day3.AddHours(11.5), Proto.TelemetryKind.DeliveryState, e => e.DeliveryState = new Proto.DeliveryState { Suspended = false }));

        for (var i = 0; i < events.Count; i++)
        {
            events[i].Sequence = (ulong)i + 1;
        }

        return events;
    }

    public static Proto.TelemetryEvent Glucose(DateTimeOffset time, double mgDl, Proto.GlucoseReading.Types.Source source = Proto.GlucoseReading.Types.Source.Sensor) =>
        Event(time, Proto.TelemetryKind.Glucose, e => e.Glucose = new Proto.GlucoseReading { Source = source, MgDl = mgDl });

    /// <summary>The tables as <c>pumpgw summary</c> prints them, on a wide console without colours.</summary>
    public static string Table(Proto.Summary summary)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 220;
        SummaryTable.Write(console, summary);
        return writer.ToString();
    }

    private static Proto.TelemetryEvent Basal(DateTimeOffset time, string unitsPerHour) =>
        Event(time, Proto.TelemetryKind.ScheduledBasal, e => e.ScheduledBasal = new Proto.ScheduledBasal { UnitsPerHour = unitsPerHour, Profile = "standard" });

    private static Proto.TelemetryEvent Bolus(DateTimeOffset time, string units) =>
        Event(time, Proto.TelemetryKind.Bolus, e => e.Bolus = new Proto.Bolus { Type = Proto.Bolus.Types.Type.Normal, ProgrammedUnits = units, DeliveredUnits = units });

    private static Proto.TelemetryEvent Event(DateTimeOffset time, Proto.TelemetryKind kind, Action<Proto.TelemetryEvent> detail)
    {
        var e = new Proto.TelemetryEvent
        {
            EventId = $"{kind}-{time.ToUnixTimeSeconds()}",
            DeviceId = "pump-1",
            Kind = kind,
            UtcTime = Timestamp.FromDateTimeOffset(time),
            TimeBasis = Proto.TimeBasis.DeviceUtc,
        };
        detail(e);
        return e;
    }
}
