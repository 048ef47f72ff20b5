namespace PumpGateway.Service.Hosting;

/// <summary>The system clock, with the clinic's configured time zone as its local zone: what drivers and reports take local time from.</summary>
internal sealed class ClinicClock(TimeZoneInfo zone) : TimeProvider
{
    public override TimeZoneInfo LocalTimeZone => zone;
}
