using Google.Protobuf.WellKnownTypes;
using PumpGateway.Clinical;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Service.Grpc;

/// <summary>The read side's results (PumpGateway.Clinical) to wire.</summary>
internal static class ClinicalProtoMapper
{
    public static Proto.GlucoseMetrics ToProto(GlucoseSummary glucose)
    {
        var message = new Proto.GlucoseMetrics
        {
            Readings = glucose.Readings,
            ReadingInterval = Duration.FromTimeSpan(glucose.ReadingInterval),
            WearPercent = glucose.WearPercent,
            DaysWithData = glucose.DaysWithData,
            Sufficient = glucose.Sufficient,
        };
        SetIfKnown(glucose.MeanMgDl, v => message.MeanMgDl = v);
        SetIfKnown(glucose.SdMgDl, v => message.SdMgDl = v);
        SetIfKnown(glucose.CvPercent, v => message.CvPercent = v);
        SetIfKnown(glucose.GmiPercent, v => message.GmiPercent = v);
        SetIfKnown(glucose.PercentBelow54, v => message.PercentBelow54 = v);
        SetIfKnown(glucose.PercentBelow70, v => message.PercentBelow70 = v);
        SetIfKnown(glucose.PercentInRange, v => message.PercentInRange = v);
        SetIfKnown(glucose.PercentAbove180, v => message.PercentAbove180 = v);
        SetIfKnown(glucose.PercentAbove250, v => message.PercentAbove250 = v);
        message.Agp.AddRange(glucose.Agp.Slots.Select(ToProto));
        return message;
    }

    public static Proto.InsulinMetrics ToProto(InsulinSummary insulin)
    {
        var message = new Proto.InsulinMetrics
        {
            TotalDailyDose = ProtoMapper.Text(insulin.TotalDailyDose),
            BasalPerDay = ProtoMapper.Text(insulin.BasalPerDay),
            BolusPerDay = ProtoMapper.Text(insulin.BolusPerDay),
            Boluses = insulin.Boluses,
            BolusesPerDay = insulin.BolusesPerDay,
            TemporaryBasals = insulin.TemporaryBasals,
            Suspensions = insulin.Suspensions,
            SuspendedTime = Duration.FromTimeSpan(insulin.SuspendedTime),
            SetChanges = insulin.SetChanges,
        };
        SetIfKnown(insulin.BasalPercent, v => message.BasalPercent = v);
        message.Days.AddRange(insulin.Days.Select(day => new Proto.DailyInsulin
        {
            Day = day.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Basal = ProtoMapper.Text(day.Basal),
            Bolus = ProtoMapper.Text(day.Bolus),
            Total = ProtoMapper.Text(day.Total),
            Source = (Proto.DailyInsulin.Types.Source)(int)day.Source,
        }));
        return message;
    }

    public static Proto.Finding ToProto(Finding finding)
    {
        var message = new Proto.Finding
        {
            DeviceId = finding.Device.Value,
            Kind = (Proto.Finding.Types.Kind)(int)finding.Kind,
            Severity = (Proto.Finding.Types.Severity)(int)finding.Severity,
            From = Timestamp.FromDateTimeOffset(finding.FromUtc),
            To = Timestamp.FromDateTimeOffset(finding.ToUtc),
            Summary = finding.Summary,
        };
        message.EvidenceEventIds.AddRange(finding.Evidence.Select(id => id.Value));
        return message;
    }

    public static Proto.AlarmEpisode ToProto(AlarmEpisode episode)
    {
        var message = new Proto.AlarmEpisode
        {
            DeviceId = episode.Device.Value,
            Kind = ProtoMapper.ToProto(episode.Kind),
            Severity = (Proto.Alarm.Types.Severity)(int)episode.Severity,
            VendorCode = episode.VendorCode,
            VendorText = episode.VendorText ?? "",
            InstanceKey = episode.InstanceKey ?? "",
            Raised = Timestamp.FromDateTimeOffset(episode.RaisedUtc),
            Acknowledged = episode.AcknowledgedUtc is { } acknowledged ? Timestamp.FromDateTimeOffset(acknowledged) : null,
            Cleared = episode.ClearedUtc is { } cleared ? Timestamp.FromDateTimeOffset(cleared) : null,
            Duration = episode.Duration is { } duration ? Duration.FromTimeSpan(duration) : null,
            Open = episode.IsOpen,
        };
        message.EvidenceEventIds.AddRange(episode.Evidence.Select(id => id.Value));
        return message;
    }

    /// <summary>A battery or reservoir's last reading and its trend; a volt reading has no meaningful empty point, so none is projected.</summary>
    public static Proto.Level ToProto(LevelTrend trend)
    {
        var message = new Proto.Level
        {
            Value = trend.Last.Value,
            Unit = trend.Last.Unit,
            ReadAt = Timestamp.FromDateTimeOffset(trend.Last.Utc),
            ProjectedEmpty = trend.EmptyAt is { } empty && trend.Last.Unit != "V" ? Timestamp.FromDateTimeOffset(empty) : null,
        };
        SetIfKnown(trend.SlopePerHour * 24, v => message.PerDay = v);
        return message;
    }

    private static Proto.AgpSlot ToProto(AgpSlot slot)
    {
        var message = new Proto.AgpSlot { MinuteOfDay = (slot.Start.Hour * 60) + slot.Start.Minute, Readings = slot.Readings };
        SetIfKnown(slot.P5, v => message.P5 = v);
        SetIfKnown(slot.P25, v => message.P25 = v);
        SetIfKnown(slot.P50, v => message.P50 = v);
        SetIfKnown(slot.P75, v => message.P75 = v);
        SetIfKnown(slot.P95, v => message.P95 = v);
        return message;
    }

    private static void SetIfKnown(double? value, Action<double> set)
    {
        if (value is { } known)
        {
            set(known);
        }
    }
}
