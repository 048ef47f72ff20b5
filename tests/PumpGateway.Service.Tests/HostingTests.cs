using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;

namespace PumpGateway.Service.Tests;

public sealed class HostingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Health_reports_serving()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var health = new Health.HealthClient(gateway.Channel);
        var response = await health.CheckAsync(new HealthCheckRequest()).ResponseAsync.WaitAsync(Timeout);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Reflection_lists_the_public_services()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var reflection = new ServerReflection.ServerReflectionClient(gateway.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" }).WaitAsync(Timeout);
        await call.RequestStream.CompleteAsync().WaitAsync(Timeout);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("pumpgateway.v1.TelemetryService", services);
        Assert.Contains("pumpgateway.v1.DeviceService", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Theory]
    [InlineData("Gateway:Streaming:WriteTimeout", "-00:00:05", "WriteTimeout must be positive")]
    [InlineData("Gateway:Findings:MajorInterruption", "01:00:00", "MajorInterruption must not be shorter than SignificantInterruption")]
    [InlineData("Gateway:ClinicTimeZone", "Mars/Olympus_Mons", "is not a time zone this machine knows")]
    [InlineData("Gateway:Wearers:0:Devices:0", "not a device!", "is not a device id")]
    public async Task A_setting_that_makes_no_sense_stops_the_gateway_at_start_with_the_reason(string key, string value, string reason)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await (await InProcessGateway.StartAsync(new Dictionary<string, string?> { [key] = value })).DisposeAsync());
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
