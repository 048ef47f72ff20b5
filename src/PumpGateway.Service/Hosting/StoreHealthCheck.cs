using Microsoft.Extensions.Diagnostics.HealthChecks;
using PumpGateway.Ports;

namespace PumpGateway.Service.Hosting;

/// <summary>The gateway is healthy when its store answers: without it nothing can be kept or served.</summary>
internal sealed class StoreHealthCheck(IEventStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var head = await store.GetHeadSequenceAsync(cancellationToken);
            return HealthCheckResult.Healthy($"head sequence {head}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("the event store does not answer", ex);
        }
    }
}
