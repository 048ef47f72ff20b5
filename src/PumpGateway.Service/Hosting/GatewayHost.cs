using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using PumpGateway.Devices.Cgms;
using PumpGateway.Devices.Dexcom;
using PumpGateway.Devices.Ids;
using PumpGateway.Devices.Medtronic;
using PumpGateway.Ports;
using PumpGateway.Service.DeviceManagement;
using PumpGateway.Service.Grpc;
using PumpGateway.Service.Reports;
using PumpGateway.Service.Streaming;
using PumpGateway.Storage.Sqlite;
using Serilog;

namespace PumpGateway.Service.Hosting;

/// <summary>
/// Builds the gateway: the worker service (systemd and Windows-service ready), its gRPC endpoint,
/// the device manager and the store. The service executable, the CLI's demo and the functional
/// tests all build it here, so that they run the same thing.
/// </summary>
public static class GatewayHost
{
    /// <param name="args">Command-line configuration (e.g. <c>--Gateway:Listen=127.0.0.1:6000</c>).</param>
    /// <param name="overrides">Configuration that wins over every other source.</param>
    /// <param name="configureLogging">Extra Serilog set-up (sinks a test captures, a console theme).</param>
    /// <param name="embedded">Hosted inside another program (the CLI, a test) that handles Ctrl-C and stops it itself.</param>
    public static WebApplication Build(
        string[] args,
        IReadOnlyDictionary<string, string?>? overrides = null,
        Action<LoggerConfiguration>? configureLogging = null,
        bool embedded = false)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        if (embedded)
        {
            builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        }
        else
        {
            builder.Host.UseSystemd();
            builder.Host.UseWindowsService();
        }

        builder.Services.AddSerilog((services, logging) =>
        {
            logging.ReadFrom.Configuration(builder.Configuration).Enrich.FromLogContext();
            if (configureLogging is null)
            {
                logging.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}");
            }
            else
            {
                configureLogging(logging);
            }
        });

        builder.Services.AddOptions<GatewayOptions>().Bind(builder.Configuration.GetSection(GatewayOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();
        options.Findings.Validate($"{GatewayOptions.SectionName}:{nameof(GatewayOptions.Findings)}");
        if (options.Streaming.WriteTimeout <= TimeSpan.Zero && options.Streaming.WriteTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new InvalidOperationException($"Gateway:Streaming:WriteTimeout must be positive (or -00:00:00.001 for none), not {options.Streaming.WriteTimeout}.");
        }

        var endpoint = ParseListen(options.Listen);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endpoint, listen => listen.Protocols = HttpProtocols.Http2));

        builder.Services.AddSingleton<TimeProvider>(new ClinicClock(ClinicZone(options.ClinicTimeZone)));
        builder.Services.AddSingleton<IEventStore>(services => CreateStore(services, services.GetRequiredService<IOptions<GatewayOptions>>().Value.Storage));
        builder.Services.AddHostedService<StoreInitializer>();
        builder.Services.AddSingleton<ITelemetrySink, StoreTelemetrySink>();
        builder.Services.AddSingleton<TelemetryBroadcaster>();
        builder.Services.AddSingleton<TelemetryFeed>();
        builder.Services.AddSingleton(new WearerDevices(Options.Create(options)));
        builder.Services.AddSingleton<DeviceEventHub>();
        builder.Services.AddSingleton(services =>
        {
            var drivers = services.GetRequiredService<IOptions<GatewayOptions>>().Value.Drivers;
            return new DeviceFamilyRegistration(DexcomDriver.Descriptor, () => new DexcomDriver(new DexcomDriverOptions
            {
                PollInterval = drivers.PollInterval,
                ResponseTimeout = drivers.ResponseTimeout,
                Retries = drivers.Retries,
            }));
        });
        builder.Services.AddSingleton(services =>
        {
            var drivers = services.GetRequiredService<IOptions<GatewayOptions>>().Value.Drivers;
            return new DeviceFamilyRegistration(CgmsDriver.Descriptor, () => new CgmsDriver(new CgmsDriverOptions
            {
                PollInterval = drivers.PollInterval,
                ResponseTimeout = drivers.ResponseTimeout,
            }));
        });
        builder.Services.AddSingleton(services =>
        {
            var drivers = services.GetRequiredService<IOptions<GatewayOptions>>().Value.Drivers;
            return new DeviceFamilyRegistration(IdsDriver.Descriptor, () => new IdsDriver(new IdsDriverOptions
            {
                PollInterval = drivers.PollInterval,
                ResponseTimeout = drivers.ResponseTimeout,
            }));
        });
        builder.Services.AddSingleton(services =>
        {
            var drivers = services.GetRequiredService<IOptions<GatewayOptions>>().Value.Drivers;
            // One driver for every session: it keeps the pages of a download the link cut short.
            var driver = new MedtronicDriver(new MedtronicDriverOptions
            {
                PumpSerials = drivers.Medtronic.PumpSerials,
                PollInterval = drivers.PollInterval,
                ResponseTimeout = drivers.ResponseTimeout,
                RadioTimeout = drivers.Medtronic.RadioTimeout,
                Retries = drivers.Retries,
            });
            return new DeviceFamilyRegistration(MedtronicDriver.Descriptor, () => driver);
        });
        builder.Services.AddSingleton<IDeviceLocator, SerialDeviceLocator>();
        builder.Services.AddSingleton<IDeviceLocator, BluetoothDeviceLocator>();
        builder.Services.AddSingleton<DeviceManager>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DeviceManager>());

        builder.Services.AddGrpc(grpc => grpc.EnableDetailedErrors = false);
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck<StoreHealthCheck>("store");

        var app = builder.Build();
        app.MapGrpcService<DeviceGrpcService>();
        app.MapGrpcService<TelemetryGrpcService>();
        app.MapGrpcService<ReportGrpcService>();
        app.MapGrpcService<DiagnosticsGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }

    /// <summary>The address the gateway listens on once started (with the real port when 0 was asked).</summary>
    public static Uri GetListenAddress(this WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    private static TimeZoneInfo ClinicZone(string id)
    {
        if (id.Length == 0)
        {
            return TimeZoneInfo.Local;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new InvalidOperationException($"Gateway:ClinicTimeZone '{id}' is not a time zone this machine knows (an IANA id such as Europe/Paris).", ex);
        }
    }

    private static IPEndPoint ParseListen(string listen) =>
        IPEndPoint.TryParse(listen, out var endpoint)
            ? endpoint
            : throw new OptionsValidationException(GatewayOptions.SectionName, typeof(GatewayOptions), [$"Gateway:Listen '{listen}' is not an address:port such as 127.0.0.1:50051."]);

    private static IEventStore CreateStore(IServiceProvider services, StorageOptions storage) =>
        storage.Provider.ToUpperInvariant() switch
        {
            "SQLITE" => new SqliteEventStore(
                new SqliteStoreOptions { DatabasePath = Path.GetFullPath(storage.SqlitePath) },
                services.GetRequiredService<ILogger<SqliteEventStore>>(),
                services.GetRequiredService<TimeProvider>()),
            _ => throw new OptionsValidationException(GatewayOptions.SectionName, typeof(GatewayOptions), [$"Gateway:Storage:Provider '{storage.Provider}' is not known (sqlite)."]),
        };

    /// <summary>No signal handling: the embedding program owns Ctrl-C and SIGTERM.</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class StoreInitializer(IEventStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
