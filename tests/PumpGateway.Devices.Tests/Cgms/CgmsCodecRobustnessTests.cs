using System.Text.Json;
using System.Text.Json.Serialization;
using PumpGateway.Codecs;
using PumpGateway.Devices.Cgms;
using PumpGateway.Devices.Gatt;
using PumpGateway.Ports;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;

namespace PumpGateway.Devices.Tests.Cgms;

/// <summary>UUIDs, the Device Information and Battery values, JSON output, and what random input does to every decoder.</summary>
public sealed class CgmsCodecRobustnessTests
{
    [Fact]
    public void The_uuid_table_holds_the_assigned_numbers()
    {
        Assert.Equal(
            new ushort?[] { 0x181F, 0x2AA7, 0x2AA8, 0x2AA9, 0x2AAA, 0x2AAB, 0x2A52, 0x2AAC },
            new[]
            {
                CgmsUuids.CgmService, CgmsUuids.CgmMeasurement, CgmsUuids.CgmFeature, CgmsUuids.CgmStatus, CgmsUuids.CgmSessionStartTime,
                CgmsUuids.CgmSessionRunTime, CgmsUuids.RecordAccessControlPoint, CgmsUuids.CgmSpecificOpsControlPoint,
            }.Select(GattUuid.ToShort));
        Assert.Equal("0000181f-0000-1000-8000-00805f9b34fb", CgmsUuids.CgmService.ToString("D"));
    }

    [Fact]
    public void Records_serialize_to_json_with_their_kind_and_values()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
        var measurements = CgmMeasurementCodec.Decode(Hex.Parse("0F E3 D2 E4 05 00 02 14 FF 02 F0 E5 F3 8E 3F"), CgmsE2e.On);
        var json = JsonSerializer.Serialize(measurements, options);
        Assert.Contains("\"glucoseMgDl\":{\"mantissa\":1234,\"exponent\":-2", json, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"DeviceBatteryLow\"", json, StringComparison.Ordinal);

        CgmSpecificOpsResponse response = new CgmAlertLevelResponse(CgmAlertLevel.Hypo, new MedicalFloat(55, 0));
        Assert.StartsWith("{\"response\":\"alertLevel\",\"alert\":\"Hypo\"", JsonSerializer.Serialize(response, options), StringComparison.Ordinal);
        CgmRacpResponse count = new CgmRacpRecordCount(258);
        Assert.Equal("{\"response\":\"numberOfStoredRecords\",\"count\":258}", JsonSerializer.Serialize(count, options));
        var start = JsonSerializer.Serialize(CgmSessionStartTimeCodec.Decode(Hex.Parse("E2 07 04 18 0D 08 18 08 04"), CgmsE2e.Off), options);
        Assert.Contains("\"localTime\":\"2018-04-24T13:08:24\"", start, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_and_mutations_of_valid_values_decode_or_fail_with_the_typed_error()
    {
        var random = new Random(20250181);
        CgmsE2e[] settings = [CgmsE2e.Off, CgmsE2e.On, new CgmsE2e(true, E2eCrcVariant.CcittFalse)];
        string[] seeds =
        [
            "0F E3 D2 E4 05 00 02 14 FF 02 F0 E5 F3 8E 3F", "06 00 0C 10 05 00 06 00 0C 10 06 00", "0C 63 62 F1 12 34 01 01 F3 FF D5 F3",
            "6E 9E 01 16 8A C1", "6E 8E 01 16 FF FF", "05 00 3F 3F FF A7 E0", "E2 07 04 18 0D 08 18 08 04 E0 C2", "02 00 08 C3",
            "06 01 20 0A 00 32 14 00 01 00 04 BF B2", "1C 02 01", "0C 0B C0 34 BE", "05 FF FF", "01 04 01 0A 00 2C 01", "06 00 01 01",
            "05 00 02 01", "01 02 03 04 05 0A 0B 0C",
        ];
        var valid = seeds.Select(Hex.Parse).ToArray();
        var decoded = 0;
        for (var i = 0; i < 20000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[random.Next(0, 40)];
                random.NextBytes(input);
            }
            else
            {
                input = (byte[])valid[random.Next(valid.Length)].Clone();
                for (var flips = random.Next(1, 3); flips > 0; flips--)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }

                if (random.Next(4) == 0)
                {
                    input = input[..random.Next(input.Length + 1)];
                }
            }

            var e2e = settings[i % settings.Length];
            decoded += RoundTripsOrFailsTyped(input, b => CgmMeasurementCodec.Decode(b, e2e), m => CgmMeasurementCodec.Encode(m, e2e));
            decoded += RoundTripsOrFailsTyped(input, b => CgmFeatureCodec.Decode(b, e2e.Variant), f => CgmFeatureCodec.Encode(f, e2e.Variant));
            decoded += RoundTripsOrFailsTyped(input, b => CgmStatusCodec.Decode(b, e2e), s => CgmStatusCodec.Encode(s, e2e));
            decoded += RoundTripsOrFailsTyped(input, b => CgmSessionStartTimeCodec.Decode(b, e2e), t => CgmSessionStartTimeCodec.Encode(t, e2e));
            decoded += RoundTripsOrFailsTyped(input, b => CgmSessionRunTimeCodec.Decode(b, e2e), r => CgmSessionRunTimeCodec.Encode(r, e2e));
            decoded += RoundTripsOrFailsTyped(input, b => CgmSpecificOpsCodec.DecodeRequest(b, e2e), r => CgmSpecificOpsCodec.EncodeRequest(r, e2e));
            decoded += RoundTripsOrFailsTyped(input, b => CgmSpecificOpsCodec.DecodeResponse(b, e2e), r => CgmSpecificOpsCodec.EncodeResponse(r, e2e));
            decoded += RoundTripsOrFailsTyped(input, b => CgmRacpCodec.DecodeRequest(b), CgmRacpCodec.EncodeRequest);
            decoded += RoundTripsOrFailsTyped(input, b => CgmRacpCodec.DecodeResponse(b), CgmRacpCodec.EncodeResponse);
            decoded += RoundTripsOrFailsTyped(input, b => DeviceInformationCodec.DecodeSystemId(b), DeviceInformationCodec.EncodeSystemId);
            decoded += RoundTripsOrFailsTyped(input, b => DeviceInformationCodec.DecodeBatteryLevel(b), DeviceInformationCodec.EncodeBatteryLevel);
            DecodesOrFailsTyped(() => DeviceInformationCodec.DecodeString(input));
            DecodesOrFailsTyped(() => CgmSessionStartTimeCodec.Decode(input, e2e).TimeOfMeasurement(ushort.MaxValue));
        }

        // Mutations must reach the decoders' success paths too, or this test proves little.
        Assert.InRange(decoded, 2000, int.MaxValue);
    }

    /// <summary>1 when the input decoded and encodes back to the same bytes, 0 when it was refused with a ProtocolException.</summary>
    private static int RoundTripsOrFailsTyped<T>(byte[] input, Func<byte[], T> decode, Func<T, byte[]> encode)
    {
        T value;
        try
        {
            value = decode(input);
        }
        catch (ProtocolException)
        {
            return 0;
        }

        Assert.Equal(input, encode(value));
        return 1;
    }

    private static void DecodesOrFailsTyped(Func<object?> decode)
    {
        try
        {
            decode();
        }
        catch (ProtocolException)
        {
        }
    }
}
