using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;

namespace PumpGateway.Cli.Tests;

/// <summary>
/// <c>pumpgw decode</c> on the Bluetooth profiles: every protocol reads a vector of the codecs' own
/// tests (tests/PumpGateway.Devices.Tests/Ids, Cgms, Gatt), whose public sources are named beside
/// each row, into the JSON fields a technician reads.
/// </summary>
[Collection("Console")]
public sealed partial class BleDecodeCommandTests
{
    /// <summary>Options (space separated), the bytes, and "path=JSON value" checks (separated by ';').</summary>
    public static TheoryData<string, string, string> Vectors => new()
    {
        // BLEIDSSim statusChanged.py: "history event recorded", counter 0, CRC.
        { "--protocol ids-status-changed --e2e", "80 00 00 DF 35", "flags=\"HistoryEventRecorded\"; e2eCounter=0" },

        // BLEIDSSim ids.py get_ids_status: run, ready, 5.22 IU, attached, counter 0, MCRF4XX CRC.
        { "--protocol ids-status --e2e", "55 96 0A E2 01 00 74 20", "therapyControlState=\"Run\"; operationalState=\"Ready\"; reservoirRemainingAmount=5.22; reservoirAttached=true; e2eCounter=0" },

        // The same status with a CRC-16/CCITT-FALSE trailer (IdsStatusCodecTests.The_CRC_variant_is_a_dialect_setting).
        { "--protocol ids-status --e2e --crc ccitt-false", "55 96 0A E2 01 00 41 43", "reservoirRemainingAmount=5.22" },

        // OpenMinimed/PythonPumpConnector idd/status/pump_status.py: a 780G reservoir as a 32-bit FLOAT, 26.25 IU.
        { "--protocol ids-status --insulin-float", "55 96 E8 0D 28 FB 01", "reservoirRemainingAmount=26.25; e2eCounter=null" },

        // BLEIDSSim parser.py get_ids_annunciation_status: id 1, battery low, snoozed, counter 0, CRC.
        { "--protocol ids-annunciation --e2e", "01 01 00 C3 00 3C 00 67 E9", "annunciation.instanceId=1; annunciation.type=\"BatteryLow\"; annunciation.status=\"Snoozed\"" },

        // palmarci/OpenGuardian docs/data-protocol.md: IDD Features read from a 780G, one extension octet.
        { "--protocol ids-features", "FF FF 00 64 00 FE DE 80 1F", "insulinConcentration=100; flags=528539390; extensionFlags=31; e2eProtectionSupported=false" },

        // AndroidBLEParser StatusReaderControlOperandComposer: get active bolus delivery, bolus id 0x1234, programmed.
        { "--protocol ids-status-reader --direction request", "56 03 34 12 0F", "$type=\"getActiveBolusDelivery\"; bolusId=4660; valueSelection=\"Programmed\"" },

        // BLEIDSSim parser.py handle_get_active_bolus_ids: ids 1 and 2, counter 0, CRC.
        { "--protocol ids-status-reader --e2e", "3F 03 02 01 00 02 00 00 72 3E", "$type=\"activeBolusIds\"; bolusIds=[1,2]" },

        // OpenMinimed/PythonPumpConnector idd/status/iob.py: 1.4 IU on board as a 780G sends it.
        { "--protocol ids-status-reader --direction response --insulin-float", "FC 03 00 C0 5C 15 FA", "$type=\"insulinOnBoard\"; amount=1.4; remainingDurationMinutes=null" },

        // Read basal rate profile template 1: op code 0x0FAA of BLEIDSSim datatypes.py (shared/protocols/ble-ids-cgms.md).
        { "--protocol ids-command --direction request", "AA 0F 01", "$type=\"readProfileTemplate\"; profile=\"BasalRate\"; templateNumber=1" },

        // AndroidBLEParser GetBolusTemplateResponseParserTest: template 1, extended, 0 and 1 IU, 2 min, delay 5.
        { "--protocol ids-command", "D2 11 01 05 3C 00 00 01 00 02 00 05 00", "$type=\"bolusTemplate\"; bolusType=\"Extended\"; extendedAmount=1; durationMinutes=2; delayMinutes=5" },

        // AndroidBLEParser IDDCommandDataParserTest: basal template 1 from block 2, blocks (3, 4), (5, 6), (7, 8).
        { "--protocol ids-command-data", "C3 0F 03 01 02 03 00 04 00 05 00 06 00 07 00 08 00", "$type=\"profileTemplateTimeBlocks\"; profile=\"BasalRate\"; firstTimeBlockIndex=2; timeBlocks[2].durationMinutes=7; timeBlocks[2].value=8" },

        // AndroidBLEParser idd RacpComposerTest: report records >= 5, filtered by reference-time events.
        { "--protocol ids-racp --direction request", "33 55 33 05 00 00 00", "opCode=\"ReportStoredRecords\"; operator=\"GreaterThanOrEqualTo\"; filterType=\"SequenceNumberOfReferenceTimeEvents\"; sequenceNumber=5" },

        // AndroidBLEParser idd RacpParserTest: 123 stored records (uint32).
        { "--protocol ids-racp", "66 0F 7B 00 00 00", "$type=\"recordCount\"; count=123" },

        // OpenMinimed/PythonPumpConnector history_data.txt: a 780G's bolus programmed, part 1 (FLOAT amounts).
        { "--protocol ids-history --insulin-float", "5a0064350a00c20754003300093df9000000000000", "$type=\"bolusProgrammedPart1\"; sequenceNumber=669028; relativeOffsetSeconds=1986; bolusId=84; bolusType=\"Fast\"; fastAmount=0.4" },

        // AndroidBLEParser BolusTemplateChangedPart1EventParserTest: seq 1, offset 2, template 3, extended, 0 and 4 IU, 5 min.
        { "--protocol ids-history", "C0 03 01 00 00 00 02 00 03 3C 00 00 04 00 05 00", "$type=\"bolusTemplateChangedPart1\"; eventType=\"BolusTemplateChangedPart1\"; templateNumber=3; extendedAmount=4; durationMinutes=5" },

        // Nordic Android-BLE-Common-Library ContinuousGlucoseMeasurementDataCallbackTest ..._double: two records in one notification.
        { "--protocol cgms-measurement", "06 00 0C 10 05 00 06 00 0C 10 06 00", "[0].glucoseMgDl=120; [0].timeOffsetMinutes=5; [1].timeOffsetMinutes=6; [1].trendMgDlPerMinute=null" },

        // Nordic ..._full: every field, Status 0x02, Cal/Temp 0x14, Warning 0xFF, CRC 0x3F8E.
        { "--protocol cgms-measurement --e2e", "0F E3 D2 E4 05 00 02 14 FF 02 F0 E5 F3 8E 3F", "[0].glucoseMgDl=12.34; [0].status=\"DeviceBatteryLow\"; [0].calTemp=\"CalibrationRecommended, SensorTemperatureTooHigh\"; [0].trendMgDlPerMinute=0.2; [0].qualityPercent=99.7" },

        // Nordic CGMFeatureDataCallbackTest ..._full: arterial plasma at the finger, E2E on, CRC 0xC18A.
        { "--protocol cgms-feature", "6E 9E 01 16 8A C1", "type=\"ArterialPlasma\"; sampleLocation=\"Finger\"; e2eCrcSupported=true" },

        // Nordic CGMStatusDataCallbackTest ..._withCrc: 5 min, every defined bit, CRC 0xE0A7.
        { "--protocol cgms-status --e2e", "05 00 3F 3F FF A7 E0", "timeOffsetMinutes=5; status=\"SessionStopped, DeviceBatteryLow, SensorTypeIncorrectForDevice, SensorMalfunction, DeviceSpecificAlert, GeneralDeviceFault\"" },

        // AndroidBLEParser CgmStatusParserTest packet 2: 6789 min, nothing set.
        { "--protocol cgms-status", "85 1A 00 00 00", "timeOffsetMinutes=6789; status=\"None\"; warning=\"None\"" },

        // Nordic CGMSessionStartTimeDataCallbackTest: 2018-04-24 13:08:24, time zone 8 (x 15 min), DST +1 h, CRC 0xC2E0.
        { "--protocol cgms-session-start-time --e2e", "E2 07 04 18 0D 08 18 08 04 E0 C2", "year=2018; month=4; day=24; timeZone=8; dstOffset=\"DaylightTime\"; localTime=\"2018-04-24T13:08:24\"; utcOffset=\"03:00:00\"" },

        // Nordic CGMSessionRunTimeDataCallbackTest ..._withCrc: 2 h, CRC 0xC308.
        { "--protocol cgms-session-run-time --e2e", "02 00 08 C3", "hours=2" },

        // Nordic CGMSpecificOpsControlPointDataCallbackTest: calibration 100 mg/dL, capillary plasma, earlobe, pending, CRC 0xB2BF.
        { "--protocol cgms-specific-ops --e2e", "06 01 20 0A 00 32 14 00 01 00 04 BF B2", "response=\"calibrationValue\"; glucoseMgDl=100; type=\"CapillaryPlasma\"; sampleLocation=\"Earlobe\"; status=\"CalibrationProcessPending\"" },

        // Nordic ...onCGMSpecificOpsOperationCompleted_withCrc: get communication interval succeeded.
        { "--protocol cgms-specific-ops --e2e", "1C 02 01 3C 3B", "response=\"responseCode\"; requestOpCode=\"GetCommunicationInterval\"; result=\"Success\"" },

        // Get calibration value 1, laid out from ehealthinnovation/BLECgmSim CGM_Service_values.h (no public request vector).
        { "--protocol cgms-specific-ops --direction request", "05 01 00", "query=\"GetGlucoseCalibrationValue\"; calibrationRecordNumber=1" },

        // Nordic RecordAccessControlPointDataCallbackTest onNumberOfRecordsReceived_uint16: 258.
        { "--protocol cgms-racp", "05 00 02 01", "response=\"numberOfStoredRecords\"; count=258" },

        // Report records from time offset 300, laid out from the RACP tables (CgmControlPointCodecTests).
        { "--protocol cgms-racp --direction request", "01 03 01 2C 01", "procedure=\"ReportStoredRecords\"; operator=\"GreaterThanOrEqualTo\"; fromTimeOffset=300" },

        // Nordic ...CompletedWithNoRecords, through the racp alias.
        { "--protocol racp --profile cgms", "06 00 01 06", "response=\"responseCode\"; requestOpCode=\"ReportStoredRecords\"; result=\"NoRecordsFound\"" },

        // The notes' IDD RACP response 0F 0F <op code> <code>, as AndroidBLEParser's idd RacpParser reads it.
        { "--protocol racp --profile ids", "0F 0F 33 F0", "$type=\"result\"; requestOpCode=\"ReportStoredRecords\"; responseCode=\"Success\"" },

        // DeviceInformationCodecTests: a NUL-padded manufacturer name, a System ID, a battery level.
        { "--protocol device-information-string", "41 63 6D 65 20 43 47 4D 00 00", "text=\"Acme CGM\"" },
        { "--protocol device-information-system-id", "01 02 03 04 05 0A 0B 0C", "manufacturerIdentifier=21542142465; organizationallyUniqueIdentifier=789258" },
        { "--protocol battery-level", "64", "percent=100" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Each_protocol_decodes_its_vector_to_the_expected_json(string options, string hex, string checks)
    {
        var (exit, output, error) = await InProcessPumpgw.RunAsync([.. Arguments(options, hex)]);
        Assert.True(exit == 0, error);
        var root = JsonDocument.Parse(output).RootElement;
        foreach (var check in checks.Split(';', StringSplitOptions.TrimEntries))
        {
            var equals = check.IndexOf('=', StringComparison.Ordinal);
            var (path, expected) = (check[..equals], JsonDocument.Parse(check[(equals + 1)..]).RootElement);
            var actual = At(root, path);
            Assert.True(JsonElement.DeepEquals(expected, actual), $"{path}: expected {expected.GetRawText()}, got {actual.GetRawText()}");
        }
    }

    [Fact]
    public async Task Insulin_amounts_keep_the_resolution_the_device_sent()
    {
        var (_, output, _) = await InProcessPumpgw.RunAsync("decode", "--protocol", "ids-history", "--insulin-float", "--hex", "5a0064350a00c20754003300093df9000000000000");
        Assert.Equal("0.4000000", JsonDocument.Parse(output).RootElement.GetProperty("fastAmount").GetRawText());
    }

    [Theory]
    [InlineData("55 96 FF FF 7F 1C 01", "8388607E28")] // the largest FLOAT mantissa at 10^28: more than a decimal holds
    [InlineData("55 96 FF FF 7F 80 01", "8388607E-128")]
    [InlineData("55 96 FF FF 7F 00 01", "\"NaN\"")]
    [InlineData("55 96 00 00 80 00 01", "\"NotAtThisResolution\"")]
    public async Task Floats_beyond_a_decimal_and_special_values_still_print(string hex, string amount)
    {
        var (exit, output, error) = await InProcessPumpgw.RunAsync("decode", "--protocol", "ids-status", "--insulin-float", "--hex", hex);
        Assert.True(exit == 0, error);
        Assert.Equal(amount, JsonDocument.Parse(output).RootElement.GetProperty("reservoirRemainingAmount").GetRawText());
    }

    [Theory]
    [InlineData("--protocol ids-status --e2e", "55 96 1A E2 01 00 74 20", 6)] // the simulator status with one bit flipped
    [InlineData("--protocol ids-status --e2e", "55 96 0A E2 01 00 41 43", 6)] // a CCITT-FALSE trailer read as the spec's
    [InlineData("--protocol cgms-measurement --e2e", "08 00 0C 10 06 00 58 6F", 6)] // Nordic onContinuousGlucoseMeasurementReceived_crcError
    [InlineData("--protocol cgms-feature", "6E 9E 01 16 AF BE", 4)] // Nordic CGMFeatureDataCallbackTest ...WithCrcError
    [InlineData("--protocol ids-history --e2e", "66 00 65 35 0A 00 C2 07 06 00 5A F7 FA", 11)] // IdsHistoryCodecTests' E2E record, CRC altered
    public async Task A_bad_crc_is_the_typed_error_at_its_offset_and_a_non_zero_exit(string options, string hex, int offset)
    {
        var (exit, output, error) = await InProcessPumpgw.RunAsync([.. Arguments(options, hex)]);
        Assert.Equal(3, exit);
        Assert.Empty(output);
        Assert.StartsWith($"pumpgw: cannot decode: BadCrc at offset {offset}: ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--protocol racp", "racp needs --profile")]
    [InlineData("--protocol ids-status --profile ids", "--profile only picks the RACP")]
    [InlineData("--protocol ids-status --direction request", "no request form")]
    [InlineData("--protocol cgms-racp --e2e", "carries no E2E trailer")]
    [InlineData("--protocol cgms-feature --e2e", "says itself whether")]
    [InlineData("--protocol ids-status --crc ccitt-false", "it needs --e2e")]
    [InlineData("--protocol battery-level --crc spec", "carries no E2E-CRC")]
    [InlineData("--protocol cgms-status --insulin-float", "no insulin amount")]
    public async Task Options_that_do_not_fit_the_protocol_are_refused_before_decoding(string options, string message)
    {
        var (exit, output, error) = await InProcessPumpgw.RunAsync([.. Arguments(options, "00")]);
        Assert.NotEqual(0, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot decode", error, StringComparison.Ordinal);
        Assert.DoesNotContain("{", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_binary_capture_file_decodes_like_its_hex()
    {
        var path = Path.GetTempFileName();
        try
        {
            // Nordic onContinuousGlucoseMeasurementReceived_small: 120 mg/dL at 6 min.
            await File.WriteAllBytesAsync(path, Hex.Parse("06 00 0C 10 06 00"));
            var (exit, output, _) = await InProcessPumpgw.RunAsync("decode", "--protocol", "cgms-measurement", "--file", path);
            Assert.Equal(0, exit);
            Assert.Equal(120m, JsonDocument.Parse(output).RootElement[0].GetProperty("glucoseMgDl").GetDecimal());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Random_bytes_and_mutated_vectors_decode_or_give_the_typed_error_and_nothing_else()
    {
        var random = new Random(20240611);
        foreach (var row in Vectors)
        {
            var (options, hex) = ((string)row[0], (string)row[1]);
            var valid = Hex.Parse(hex);
            for (var i = 0; i < 100; i++)
            {
                var bytes = Mutate(valid, random);
                var (exit, output, error) = await InProcessPumpgw.RunAsync([.. Arguments(options, Convert.ToHexString(bytes))]);
                var what = $"{options} --hex {Convert.ToHexString(bytes)}";
                if (exit == 0)
                {
                    JsonDocument.Parse(output).Dispose();
                    continue;
                }

                Assert.True(exit == 3, $"{what}: exit {exit}, {error}");
                var typed = TypedError().Match(error);
                Assert.True(typed.Success && Enum.IsDefined(Enum.Parse<ProtocolErrorKind>(typed.Groups[1].Value)), $"{what}: {error}");
                Assert.InRange(int.Parse(typed.Groups[2].Value, CultureInfo.InvariantCulture), 0, bytes.Length);
            }
        }
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        switch (random.Next(4))
        {
            case 0:
                var noise = new byte[random.Next(1, 24)];
                random.NextBytes(noise);
                return noise;
            case 1:
                return valid[..random.Next(1, valid.Length + 1)];
            case 2:
                var longer = new byte[valid.Length + random.Next(1, 4)];
                random.NextBytes(longer);
                valid.CopyTo(longer, 0);
                return longer;
            default:
                var flipped = (byte[])valid.Clone();
                flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                return flipped;
        }
    }

    private static IEnumerable<string> Arguments(string options, string hex) =>
        ["decode", .. options.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--hex", hex];

    /// <summary>The element at a path such as <c>annunciation.type</c>, <c>[1].timeOffsetMinutes</c> or <c>timeBlocks[2].value</c>.</summary>
    private static JsonElement At(JsonElement root, string path)
    {
        var element = root;
        foreach (Match step in PathStep().Matches(path))
        {
            element = step.Groups["index"].Success
                ? element[int.Parse(step.Groups["index"].Value, CultureInfo.InvariantCulture)]
                : element.GetProperty(step.Groups["name"].Value);
        }

        return element;
    }

    [GeneratedRegex(@"\[(?<index>\d+)\]|(?<name>[^.\[\]]+)")]
    private static partial Regex PathStep();

    [GeneratedRegex(@"^pumpgw: cannot decode: (\w+) at offset (\d+): ")]
    private static partial Regex TypedError();
}
