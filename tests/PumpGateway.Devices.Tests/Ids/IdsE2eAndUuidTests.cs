using PumpGateway.Ports;
using System.Text.Json;
using PumpGateway.Codecs;
using PumpGateway.Devices.Ids;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;

namespace PumpGateway.Devices.Tests.Ids;

/// <summary>The E2E-Counter sequence checker, the UUIDs a pump is found by, the dialect presets and the JSON form of the records.</summary>
public sealed class IdsE2eAndUuidTests
{
    [Fact]
    public void Counters_start_at_1_per_characteristic_and_wrap_from_255_to_1()
    {
        var counter = new IdsE2eCounter();
        for (var expected = 1; expected <= 255; expected++)
        {
            counter.Check(IdsCharacteristic.Status, (byte)expected);
        }

        counter.Check(IdsCharacteristic.Status, 1);
        counter.Check(IdsCharacteristic.StatusReaderControlPoint, 1);
        counter.Check(IdsCharacteristic.StatusReaderControlPoint, 2);
        Assert.Equal(2, counter.Expected(IdsCharacteristic.Status));
        Assert.Equal(1, counter.Expected(IdsCharacteristic.AnnunciationStatus));
    }

    [Theory]
    [InlineData(new byte[] { 1, 1 }, "again")]
    [InlineData(new byte[] { 1, 3 }, "skipping")]
    [InlineData(new byte[] { 2 }, "skipping")]
    [InlineData(new byte[] { 0 }, "never used")]
    public void A_repeated_skipped_or_zero_counter_is_reported(byte[] counters, string why)
    {
        var counter = new IdsE2eCounter();
        for (var i = 0; i < counters.Length - 1; i++)
        {
            counter.Check(IdsCharacteristic.CommandControlPoint, counters[i]);
        }

        var error = Assert.Throws<ProtocolException>(() => counter.Check(IdsCharacteristic.CommandControlPoint, counters[^1]));
        Assert.Equal(ProtocolErrorKind.OutOfRange, error.Kind);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void After_a_reported_gap_the_checker_follows_the_device()
    {
        var counter = new IdsE2eCounter();
        counter.Check(IdsCharacteristic.HistoryData, 1);
        Assert.Throws<ProtocolException>(() => counter.Check(IdsCharacteristic.HistoryData, 5));
        counter.Check(IdsCharacteristic.HistoryData, 6);
    }

    [Fact]
    public void The_simulator_counter_of_0_is_caught_by_the_checker_not_by_the_pure_decoder()
    {
        // BLEIDSSim response.py next_crc_counter_value() always returns 0: the value decodes, the sequence does not.
        var status = IdsStatusCodec.Decode(Hex.Parse("55 96 0A E2 01 00 74 20"), IdsDialect.SpecificationWithE2e);
        Assert.Equal((byte)0, status.E2eCounter);
        Assert.Throws<ProtocolException>(() => new IdsE2eCounter().Check(IdsCharacteristic.Status, status.E2eCounter!.Value));
    }

    [Fact]
    public void The_sending_side_numbers_its_writes_and_a_new_connection_starts_again()
    {
        var outgoing = new IdsE2eCounter();
        Assert.Equal([1, 2, 3], Enumerable.Range(0, 3).Select(_ => outgoing.Next(IdsCharacteristic.RecordAccessControlPoint)));
        Assert.Equal(1, outgoing.Next(IdsCharacteristic.StatusReaderControlPoint));
        outgoing.Reset();
        Assert.Equal(1, outgoing.Next(IdsCharacteristic.RecordAccessControlPoint));
        Assert.Equal(1, IdsE2eCounter.Following(255));
        Assert.Equal(1, IdsE2eCounter.Following(0));
        Assert.Equal(43, IdsE2eCounter.Following(42));
    }

    [Fact]
    public void A_write_sequence_checks_on_the_receiving_side()
    {
        var gateway = new IdsE2eCounter();
        var emulator = new IdsE2eCounter();
        var dialect = IdsDialect.SpecificationWithE2e;
        for (var i = 0; i < 300; i++)
        {
            var value = IdsRacpCodec.Encode(IdsRacpRequest.CountAll() with { E2eCounter = gateway.Next(IdsCharacteristic.RecordAccessControlPoint) }, dialect);
            emulator.Check(IdsCharacteristic.RecordAccessControlPoint, IdsRacpCodec.DecodeRequest(value, dialect).E2eCounter!.Value);
        }
    }

    [Fact]
    public void The_uuid_table_holds_the_assigned_numbers()
    {
        // AndroidBLEParser IDD parser tests match "00002B2x-0000-1000-8000-00805F9B34FB" (case aside).
        Assert.Equal(
            new ushort?[] { 0x183A, 0x2B20, 0x2B21, 0x2B22, 0x2B23, 0x2B24, 0x2B25, 0x2B26, 0x2B27, 0x2B28, 0x2A52 },
            new[]
            {
                IdsUuids.InsulinDeliveryService, IdsUuids.StatusChanged, IdsUuids.Status, IdsUuids.AnnunciationStatus, IdsUuids.Features,
                IdsUuids.StatusReaderControlPoint, IdsUuids.CommandControlPoint, IdsUuids.CommandData, IdsUuids.RecordAccessControlPoint,
                IdsUuids.HistoryData, IdsUuids.GenericRecordAccessControlPoint,
            }.Select(GattUuid.ToShort));
        Assert.Equal("0000183a-0000-1000-8000-00805f9b34fb", IdsUuids.InsulinDeliveryService.ToString("D"));
    }

    [Fact]
    public void A_vendor_UUID_has_no_16_bit_form()
    {
        // OpenGuardian: the 780G's own insulin delivery service UUID.
        Assert.Null(GattUuid.ToShort(Guid.Parse("00000100-0000-1000-0000-009132591325")));
        Assert.Null(GattUuid.ToShort(Guid.Parse("0001183a-0000-1000-8000-00805f9b34fb")));
    }

    [Fact]
    public void History_is_fetched_through_the_RACP_the_dialect_names()
    {
        Assert.Equal(IdsUuids.RecordAccessControlPoint, IdsUuids.Of(IdsCharacteristic.RecordAccessControlPoint, IdsDialect.Specification));
        Assert.Equal(IdsUuids.GenericRecordAccessControlPoint, IdsUuids.Of(IdsCharacteristic.RecordAccessControlPoint, IdsDialect.MedtronicMiniMed700));
        Assert.Equal(IdsUuids.HistoryData, IdsUuids.Of(IdsCharacteristic.HistoryData, IdsDialect.MedtronicMiniMed700));
        Assert.Equal(
            new ushort?[] { 0x2B20, 0x2B21, 0x2B22, 0x2B23, 0x2B24, 0x2B25, 0x2B26, 0x2B27, 0x2B28 },
            Enum.GetValues<IdsCharacteristic>().Select(c => GattUuid.ToShort(IdsUuids.Of(c, IdsDialect.Specification))));
    }

    [Fact]
    public void The_specification_is_the_default_dialect()
    {
        var dialect = new IdsDialect();
        Assert.Equal(IdsDialect.Specification, dialect);
        Assert.Equal((false, E2eCrcVariant.Specification, false, false), (dialect.E2eProtection, dialect.CrcVariant, dialect.InsulinAsFloat, dialect.HistoryOnGenericRacp));
        Assert.True(IdsDialect.MedtronicMiniMed700.InsulinAsFloat);
        Assert.Equal(E2eCrcVariant.CcittFalse, IdsDialect.MedtronicMiniMed700.CrcVariant);
    }

    [Fact]
    public void Records_serialize_to_readable_JSON_through_their_base_type()
    {
        IdsHistoryEvent historyEvent = new IdsBolusProgrammedPart1Event(669028, 1986, 84, IdsBolusType.Fast, new MedicalFloat(4000000, -7), new MedicalFloat(0, 0), 0);
        var json = JsonSerializer.Serialize(historyEvent);
        Assert.Contains("\"$type\":\"bolusProgrammedPart1\"", json, StringComparison.Ordinal);
        Assert.Contains("\"BolusId\":84", json, StringComparison.Ordinal);
        Assert.Contains("\"Mantissa\":4000000", json, StringComparison.Ordinal);

        IdsStatusReaderResponse ids = new IdsActiveBolusIds([1, 2]);
        Assert.Contains("\"BolusIds\":[1,2]", JsonSerializer.Serialize(ids), StringComparison.Ordinal);
        Assert.Contains("\"Annunciation\":null", JsonSerializer.Serialize(new IdsAnnunciationStatus(null)), StringComparison.Ordinal);
    }
}
