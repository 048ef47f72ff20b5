using PumpGateway.Codecs;

namespace PumpGateway.Devices.Ids;

/// <summary>
/// How one device speaks the Insulin Delivery Service, set per device: the specification is the
/// default, and real pumps deviate in documented ways (E2E-CRC bit order, 32-bit FLOAT for insulin
/// amounts, the generic RACP UUID).
/// </summary>
/// <param name="E2eProtection">
/// The IDD Features say E2E protection is supported: values carry an E2E-Counter and an E2E-CRC
/// (IDD History Data only the CRC). IDD Features itself always carries both and describes itself.
/// </param>
/// <param name="CrcVariant">Bit order of the E2E-CRC.</param>
/// <param name="InsulinAsFloat">
/// Insulin amounts and rates (IU, IU/h, TBR adjustment values) are 32-bit FLOAT where the
/// specification has SFLOAT; glucose-related values and the insulin concentration stay SFLOAT.
/// </param>
/// <param name="HistoryOnGenericRacp">History is retrieved through the generic RACP (0x2A52) instead of the IDD RACP (0x2B27).</param>
public sealed record IdsDialect(
    bool E2eProtection = false,
    E2eCrcVariant CrcVariant = E2eCrcVariant.Specification,
    bool InsulinAsFloat = false,
    bool HistoryOnGenericRacp = false)
{
    public static IdsDialect Specification { get; } = new();

    public static IdsDialect SpecificationWithE2e { get; } = new(E2eProtection: true);

    /// <summary>
    /// MiniMed 700-series as documented by OpenMinimed (FLOAT insulin fields, RACP on 0x2A52, E2E
    /// off). The CCITT-FALSE CRC comes from the project notes; no public capture shows E2E on.
    /// </summary>
    public static IdsDialect MedtronicMiniMed700 { get; } = new(CrcVariant: E2eCrcVariant.CcittFalse, InsulinAsFloat: true, HistoryOnGenericRacp: true);
}
