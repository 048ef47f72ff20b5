using PumpGateway.Codecs;

namespace PumpGateway.Devices.Ids;

/// <summary>IDD Status Changed: which parts of the pump's status changed since the client last reset the flags.</summary>
public sealed record IdsStatusChanged(IdsStatusChangedFlags Flags) : IdsE2eProtectedValue;

/// <summary>IDD Status: therapy and operational state and what is left in the reservoir (IU).</summary>
public sealed record IdsStatus(
    IdsTherapyControlState TherapyControlState,
    IdsOperationalState OperationalState,
    MedicalFloat ReservoirRemainingAmount,
    bool ReservoirAttached) : IdsE2eProtectedValue;

/// <summary>One annunciation (alarm, warning, reminder) and up to five manufacturer-specific AuxInfo words.</summary>
public sealed record IdsAnnunciation(
    ushort InstanceId,
    IdsAnnunciationType Type,
    IdsAnnunciationState Status,
    ushort? AuxInfo1 = null,
    ushort? AuxInfo2 = null,
    ushort? AuxInfo3 = null,
    ushort? AuxInfo4 = null,
    ushort? AuxInfo5 = null);

/// <summary>IDD Annunciation Status: the current annunciation, or none if the pump never raised one.</summary>
public sealed record IdsAnnunciationStatus(IdsAnnunciation? Annunciation) : IdsE2eProtectedValue;

/// <summary>
/// IDD Features. <see cref="Flags"/> holds the 24 standard bits and any extension octets (bit 23,
/// then bit 31 …, announce one more octet; vendors put their own features there), up to 64 bits.
/// The E2E-CRC is not kept: it is 0xFFFF without E2E protection and checked with it.
/// </summary>
public sealed record IdsFeatures(byte E2eCounter, MedicalFloat InsulinConcentration, ulong Flags)
{
    public IdsFeatureFlags StandardFlags => (IdsFeatureFlags)(uint)(Flags & 0xFF_FFFF);

    public bool E2eProtectionSupported => StandardFlags.HasFlag(IdsFeatureFlags.E2eProtectionSupported);

    /// <summary>Bits 24 and up: the extension octets, defined by the manufacturer.</summary>
    public ulong ExtensionFlags => Flags >> 24;
}
