using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using PumpGateway.Devices;
using PumpGateway.Ports;
using PumpGateway.Service.Streaming;
using PumpGateway.Telemetry;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Service.Grpc;

/// <summary>Domain to wire: the one place the public contract's shapes are produced.</summary>
internal static class ProtoMapper
{
    public static Proto.TelemetryEvent ToProto(StoredEvent stored)
    {
        var e = stored.Event;
        var message = new Proto.TelemetryEvent
        {
            Sequence = (ulong)stored.Sequence,
            EventId = e.Id.Value,
            DeviceId = e.Device.Value,
            Kind = ToProto(e.Kind),
            DeviceTime = e.DeviceTime.Clock.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
            UtcTime = Timestamp.FromDateTimeOffset(e.Utc),
            TimeBasis = (Proto.TimeBasis)(int)e.TimeBasis,
        };
        if (e.DeviceTime.Raw is { } raw)
        {
            message.DeviceTimeRaw = raw;
        }

        switch (e)
        {
            case GlucoseReading g:
                message.Glucose = ToProto(g);
                break;
            case SensorRawReading r:
                message.SensorRaw = new Proto.SensorRawReading { Unfiltered = r.Unfiltered, Filtered = r.Filtered };
                if (r.Rssi is { } rssi)
                {
                    message.SensorRaw.Rssi = rssi;
                }

                break;
            case SensorSession s:
                message.SensorSession = new Proto.SensorSession
                {
                    State = s.State,
                    InsertionTime = s.InsertionUtc is { } inserted ? Timestamp.FromDateTimeOffset(inserted) : null,
                };
                break;
            case UserEntry u:
                message.UserEntry = new Proto.UserEntry { Type = (Proto.UserEntry.Types.Type)(int)u.EntryType, Subtype = u.Subtype ?? "", Value = Text(u.Value) };
                break;
            case ScheduledBasal b:
                message.ScheduledBasal = new Proto.ScheduledBasal
                {
                    UnitsPerHour = Text(b.UnitsPerHour),
                    Profile = b.Profile ?? "",
                    SegmentStart = b.SegmentStart is { } start ? Duration.FromTimeSpan(start) : null,
                };
                if (b.SegmentIndex is { } index)
                {
                    message.ScheduledBasal.SegmentIndex = index;
                }

                break;
            case TemporaryBasal t:
                message.TemporaryBasal = new Proto.TemporaryBasal
                {
                    Phase = (Proto.TemporaryBasal.Types.Phase)(int)t.Phase,
                    ProgrammedDuration = Duration.FromTimeSpan(t.ProgrammedDuration),
                    EffectiveDuration = t.EffectiveDuration is { } effective ? Duration.FromTimeSpan(effective) : null,
                    EndReason = t.EndReason ?? "",
                };
                if (t.Percent is { } percent)
                {
                    message.TemporaryBasal.Percent = percent;
                }
                else if (t.UnitsPerHour is { } rate)
                {
                    message.TemporaryBasal.UnitsPerHour = Text(rate);
                }

                break;
            case PumpMaintenance m:
                message.PumpMaintenance = new Proto.PumpMaintenance
                {
                    Action = (Proto.PumpMaintenance.Types.Action)(int)m.Action,
                    Units = Text(m.Units),
                    ClockBefore = m.ClockBefore?.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) ?? "",
                    ClockAfter = m.ClockAfter?.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) ?? "",
                    Detail = m.Detail ?? "",
                };
                break;
            case DailyInsulinTotal total:
                message.DailyInsulinTotal = new Proto.DailyInsulinTotal
                {
                    Day = total.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    BasalUnits = Text(total.BasalUnits),
                    BolusUnits = Text(total.BolusUnits),
                    TotalUnits = Text(total.TotalUnits),
                };
                break;
            case LinkReport link:
                message.LinkReport = new Proto.LinkReport
                {
                    Endpoint = link.Endpoint,
                    SessionLength = Duration.FromTimeSpan(link.SessionLength),
                    EndReason = link.EndReason ?? "",
                    BytesIn = link.BytesIn,
                    BytesOut = link.BytesOut,
                    Timeouts = link.Timeouts,
                    CrcErrors = link.CrcErrors,
                    Retries = link.Retries,
                    FramingErrors = link.FramingErrors,
                    Reopens = link.Reopens,
                    ClockOffset = link.ClockOffset is { } offset ? Duration.FromTimeSpan(offset) : null,
                    ClockError = link.ClockError is { } error ? Duration.FromTimeSpan(error) : null,
                };
                foreach (var (name, value) in link.DeviceCounters)
                {
                    message.LinkReport.DeviceCounters[name] = value;
                }

                if (link.SignalStrength is { } signal)
                {
                    message.LinkReport.SignalStrength = signal;
                }

                break;
            case DeliveryStateChange d:
                message.DeliveryState = new Proto.DeliveryState { Suspended = d.Suspended, Reason = d.Reason ?? "" };
                break;
            case Bolus b:
                message.Bolus = new Proto.Bolus
                {
                    Type = (Proto.Bolus.Types.Type)(int)b.BolusType,
                    ProgrammedUnits = Text(b.ProgrammedUnits),
                    DeliveredUnits = Text(b.DeliveredUnits),
                    ProgrammedExtendedUnits = Text(b.ProgrammedExtendedUnits),
                    DeliveredExtendedUnits = Text(b.DeliveredExtendedUnits),
                    ExtendedDuration = b.ExtendedDuration is { } extended ? Duration.FromTimeSpan(extended) : null,
                    Cancelled = b.Cancelled,
                };
                break;
            case Alarm a:
                message.Alarm = new Proto.Alarm
                {
                    Kind = ToProto(a.AlarmKind),
                    Severity = (Proto.Alarm.Types.Severity)(int)a.Severity,
                    Transition = (Proto.Alarm.Types.Transition)(int)a.Transition,
                    VendorCode = a.VendorCode,
                    VendorText = a.VendorText ?? "",
                    InstanceKey = a.InstanceKey ?? "",
                };
                break;
            case DeviceStatus s:
                message.DeviceStatus = new Proto.DeviceStatus { BatteryState = s.BatteryState ?? "", ReservoirUnits = Text(s.ReservoirUnits) };
                if (s.BatteryPercent is { } percentLeft)
                {
                    message.DeviceStatus.BatteryPercent = percentLeft;
                }

                if (s.BatteryVolts is { } volts)
                {
                    message.DeviceStatus.BatteryVolts = volts;
                }

                break;
            default:
                throw new InvalidOperationException($"No wire form for {e.GetType().Name}.");
        }

        return message;
    }

    public static Proto.Heartbeat Heartbeat(FeedItem item) =>
        new() { HeadSequence = (ulong)item.HeadSequence, Time = Timestamp.FromDateTimeOffset(item.HeartbeatTime) };

    public static Proto.Alarm.Types.Kind ToProto(AlarmKind kind) =>
        kind == AlarmKind.Other ? Proto.Alarm.Types.Kind.Other : (Proto.Alarm.Types.Kind)(int)kind;

    public static Proto.TelemetryKind ToProto(TelemetryKind kind) => (Proto.TelemetryKind)(int)kind;

    public static TelemetryKind FromProto(Proto.TelemetryKind kind) =>
        System.Enum.IsDefined((TelemetryKind)(int)kind) ? (TelemetryKind)(int)kind : throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown telemetry kind");

    public static Proto.Device ToProto(DeviceRecord device, bool docked, IReadOnlyList<DownloadCursor> cursors)
    {
        var identity = device.Identity;
        var message = new Proto.Device
        {
            DeviceId = device.Id.Value,
            Family = identity.Family,
            Category = (Proto.DeviceCategory)(int)identity.Category,
            Model = identity.Model,
            ProductName = identity.ProductName ?? "",
            FirmwareVersion = identity.FirmwareVersion ?? "",
            SerialNumber = identity.SerialNumber,
            TransportEndpoint = device.TransportEndpoint,
            Docked = docked,
            FirstSeen = Timestamp.FromDateTimeOffset(device.FirstSeen),
            LastSeen = Timestamp.FromDateTimeOffset(device.LastSeen),
            ClockOffset = device.LastClockOffset is { } offset ? Duration.FromTimeSpan(offset) : null,
        };
        message.Cursors.AddRange(cursors.Select(c => new Proto.DownloadCursor
        {
            Stream = c.Stream,
            Position = c.Position,
            Updated = Timestamp.FromDateTimeOffset(c.UpdatedUtc),
        }));
        return message;
    }

    public static Proto.DownloadProgress ToProto(DownloadProgress progress) => new()
    {
        Stream = progress.Stream,
        Done = progress.Done,
        Total = progress.Total,
        EventsStored = progress.EventsStored,
    };

    public static Proto.DownloadCompleted ToProto(DownloadSummary summary) => new()
    {
        UnitsRead = summary.UnitsRead,
        EventsStored = summary.EventsStored,
        Duplicates = summary.Duplicates,
        Elapsed = Duration.FromTimeSpan(summary.Elapsed),
    };

    private static Proto.GlucoseReading ToProto(GlucoseReading g)
    {
        var message = new Proto.GlucoseReading
        {
            Source = (Proto.GlucoseReading.Types.Source)(int)g.Source,
            Condition = g.Condition ?? "",
            RangeLimit = (Proto.GlucoseReading.Types.RangeLimit)(int)g.RangeLimit,
            Trend = (Proto.GlucoseReading.Types.Trend)(int)g.Trend,
            Noise = g.Noise ?? "",
            DisplayOnly = g.DisplayOnly,
            Backfilled = g.Backfilled,
        };
        if (g.MgDl is { } mgDl)
        {
            message.MgDl = mgDl;
            message.MmolL = GlucoseReading.MgDlToMmolL(mgDl);
        }

        if (g.RateMgDlPerMin is { } rate)
        {
            message.RateMgDlPerMin = rate;
        }

        return message;
    }

    public static string Text(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
}
