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
}
