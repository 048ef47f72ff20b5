using PumpGateway.Ports;

namespace PumpGateway.Devices.Cgms;

/// <summary>The Continuous Glucose Monitoring Service and its characteristics.</summary>
public static class CgmsUuids
{
    public static readonly Guid CgmService = GattUuid.FromShort(0x181F);
    public static readonly Guid CgmMeasurement = GattUuid.FromShort(0x2AA7);
    public static readonly Guid CgmFeature = GattUuid.FromShort(0x2AA8);
    public static readonly Guid CgmStatus = GattUuid.FromShort(0x2AA9);
    public static readonly Guid CgmSessionStartTime = GattUuid.FromShort(0x2AAA);
    public static readonly Guid CgmSessionRunTime = GattUuid.FromShort(0x2AAB);
    public static readonly Guid RecordAccessControlPoint = GattUuid.FromShort(0x2A52);
    public static readonly Guid CgmSpecificOpsControlPoint = GattUuid.FromShort(0x2AAC);
}
