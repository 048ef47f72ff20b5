using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using PumpGateway.Clinical;
using PumpGateway.Devices;
using PumpGateway.Ports;
using PumpGateway.Service.Hosting;
using PumpGateway.Service.Reports;
using PumpGateway.Telemetry;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Service.Grpc;

internal sealed class ReportGrpcService : Proto.ReportService.ReportServiceBase
{
    /// <summary>A longer period is a mistake, not a review: a year of one device is already a large answer.</summary>
    private static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(400);

    /// <summary>
    /// Events before the period the findings need: a set changed days before the period still ages in it,
    /// and repeated occlusions are counted over a week.
    /// </summary>
    private static readonly TimeSpan FindingsLeadIn = TimeSpan.FromDays(7);

    /// <summary>Events before the period the insulin summary needs: the basal rate in force when the period starts.</summary>
    private static readonly TimeSpan InsulinLeadIn = TimeSpan.FromDays(1);

    /// <summary>
    /// Events after the period the insulin summary needs: a pump's events cover it only up to its last one,
    /// so an event after the period shows that its last day was covered to the end.
    /// </summary>
    private static readonly TimeSpan InsulinLeadOut = TimeSpan.FromDays(1);

    private static readonly HashSet<TelemetryKind> InsulinKinds =
        [TelemetryKind.Bolus, TelemetryKind.ScheduledBasal, TelemetryKind.TemporaryBasal, TelemetryKind.DeliveryState, TelemetryKind.DailyInsulinTotal];

    private readonly IEventStore _store;
    private readonly TimeProvider _clock;
    private readonly FindingOptions _findingOptions;
    private readonly WearerDevices _wearers;

    public ReportGrpcService(IEventStore store, TimeProvider clock, IOptions<GatewayOptions> options, WearerDevices wearers)
    {
        _store = store;
        _clock = clock;
        _findingOptions = options.Value.Findings;
        _wearers = wearers;
    }

    public override async Task<Proto.Summary> GetSummary(Proto.GetSummaryRequest request, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var id = GrpcArguments.ParseDeviceId(request.DeviceId);
        var from = GrpcArguments.ParseTime(request.From, "from");
        var to = GrpcArguments.ParseTime(request.To, "to");
        GrpcArguments.RequireOrdered(from, to);

        if (to - from > MaxPeriod)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"The period is {(to - from).TotalDays:0.#} days; a summary covers at most {MaxPeriod.TotalDays:0} days."));
        }

        var device = await GrpcArguments.KnownDeviceAsync(_store, request.DeviceId, cancellationToken);
        var period = new ReportPeriod(from, to, _clock.LocalTimeZone);
        var stored = await DeviceHistory.ReadAsync(_store, id, from - FindingsLeadIn, to + InsulinLeadOut, [], cancellationToken);
        var events = stored.Select(s => s.Event).ToList();
        var wearerGlucose = await _wearers.CompanionGlucoseAsync(_store, id, from - FindingsLeadIn, to, cancellationToken);
        var ownGlucose = events.OfType<GlucoseReading>().ToList();

        var summary = new Proto.Summary
        {
            DeviceId = id.Value,
            From = Timestamp.FromDateTimeOffset(period.FromUtc),
            To = Timestamp.FromDateTimeOffset(period.ToUtc),
            ClinicTimeZone = period.ClinicZone.Id,
        };
        try
        {
            // A pump without a sensor of its own shows its wearer's CGM.
            var ownSensor = ownGlucose.Any(r => r.Source == GlucoseSource.Sensor && period.Contains(r.Utc));
            var glucoseReadings = ownSensor ? ownGlucose : wearerGlucose;
            var glucose = GlucoseMetrics.Compute(glucoseReadings, period);
            if (glucose.Readings > 0)
            {
                summary.Glucose = ClinicalProtoMapper.ToProto(glucose);
                summary.GlucoseDeviceIds.AddRange(glucoseReadings
                    .Where(r => r.Source == GlucoseSource.Sensor && period.Contains(r.Utc))
                    .Select(r => r.Device.Value)
                    .Distinct()
                    .Order(StringComparer.Ordinal));
            }

            if (device.Identity.Category == DeviceCategory.InsulinPump && events.Any(e => InsulinKinds.Contains(e.Kind) && period.Contains(e.Utc)))
            {
                summary.Insulin = ClinicalProtoMapper.ToProto(InsulinMetrics.Compute(events.Where(e => e.Utc >= from - InsulinLeadIn), period));
            }

            var episodes = AlarmLifecycle.Episodes(events.OfType<Alarm>());
            summary.Alarms.AddRange(AlarmLifecycle.CountByKind(episodes, from, to).Select(count => new Proto.AlarmCount { Kind = ProtoMapper.ToProto(count.Key), Count = count.Value }));
            summary.SetChanges.AddRange(SetChanges.Find(events.OfType<PumpMaintenance>()).Where(change => period.Contains(change.Utc)).Select(change => Timestamp.FromDateTimeOffset(change.Utc)));

            // A finding is judged with what was known at the period's end (or now, for a period still running).
            var now = Min(to, _clock.GetUtcNow());
            summary.Findings.AddRange(FindingRules.Evaluate(events, now, _findingOptions, wearerGlucose)
                .Where(finding => finding.ToUtc >= from && finding.FromUtc < to)
                .Select(ClinicalProtoMapper.ToProto));
        }
        catch (ArgumentException ex)
        {
            throw GrpcArguments.UnusableHistory(id, ex);
        }

        return summary;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
