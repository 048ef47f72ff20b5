using BenchmarkDotNet.Attributes;
using PumpGateway.Clinical;
using PumpGateway.Telemetry;

namespace PumpGateway.Benchmarks;

/// <summary>
/// The summary's computations over 90 days of one wearer (25,920 readings and the pump's events), against the
/// baseline of one pass over the same readings (their mean): what any computation over them pays at least.
/// </summary>
[MemoryDiagnoser]
public class ClinicalBenchmarks
{
    private readonly List<TelemetryEvent> _events = BenchmarkTelemetry.Days(90);
    private readonly List<GlucoseReading> _readings;
    private readonly ReportPeriod _period = new(BenchmarkTelemetry.Start, BenchmarkTelemetry.Start.AddDays(90), TimeZoneInfo.Utc);

    public ClinicalBenchmarks() => _readings = [.. _events.OfType<GlucoseReading>()];

    [Benchmark(Baseline = true)]
    public double MeanOfTheReadings()
    {
        var sum = 0.0;
        foreach (var reading in _readings)
        {
            sum += reading.MgDl!.Value;
        }

        return sum / _readings.Count;
    }

    [Benchmark]
    public double GlucoseMetricsAndAgp() => GlucoseMetrics.Compute(_readings, _period).MeanMgDl!.Value;

    [Benchmark]
    public decimal? InsulinSummary() => InsulinMetrics.Compute(_events, _period).TotalDailyDose;

    [Benchmark]
    public int Findings() => FindingRules.Evaluate(_events, _period.ToUtc).Count;
}
