using System.Text.Json;
using PumpGateway.TestSupport;

namespace PumpGateway.Cli.Tests;

/// <summary>
/// <c>pumpgw decode</c> on the Medtronic protocols: the real pages of pump 578398 (522) and of the
/// 554 fixture, and the stick and radio packets of its download.log.
/// </summary>
[Collection("Console")]
public sealed class MedtronicDecodeCommandTests
{
    [Fact]
    public async Task A_history_page_decodes_with_its_model_and_each_record_names_its_offset()
    {
        var (exit, output, error) = await RunAsync("decode", "--protocol", "medtronic-page", "--model", "522", "--file", SharedFiles.Fixture("medtronic", "578398", "ReadHistoryData-page-1.data"));
        Assert.True(exit == 0, error);
        var page = JsonDocument.Parse(output).RootElement;
        Assert.Equal("522", page.GetProperty("model").GetString());
        var bolus = page.GetProperty("records").EnumerateArray().First(r => r.GetProperty("record").GetProperty("type").GetString() == "Bolus");

        // CareLink's export of this pump: BolusNormal 2.5 U at 4/28/15 14:11:55.
        Assert.Equal(68, bolus.GetProperty("offset").GetInt32());
        Assert.Equal(2.5m, bolus.GetProperty("record").GetProperty("delivered").GetDecimal());
        Assert.Equal("2015-04-28T14:11:55", bolus.GetProperty("record").GetProperty("time").GetString());
    }

    [Fact]
    public async Task A_history_page_needs_the_model_and_a_bad_page_crc_is_exit_3()
    {
        var page = SharedFiles.Fixture("medtronic", "model-554", "ReadHistoryData-page-8.data");
        var (exit, _, error) = await RunAsync("decode", "--protocol", "medtronic-page", "--file", page);
        Assert.Equal(1, exit);
        Assert.Contains("needs --model", error, StringComparison.Ordinal);

        (exit, _, error) = await RunAsync("decode", "--protocol", "medtronic-page", "--model", "999", "--file", page);
        Assert.Equal(1, exit);
        Assert.Contains("--model 999", error, StringComparison.Ordinal);

        (exit, var output, error) = await RunAsync("decode", "--protocol", "medtronic-page", "--model", "554", "--file", page);
        Assert.Equal(3, exit);
        Assert.Empty(output);
        Assert.Contains("BadCrc at offset 1022", error, StringComparison.Ordinal);

        (exit, _, error) = await RunAsync("decode", "--protocol", "medtronic-glucose-page", "--model", "522", "--file", page);
        Assert.Equal(1, exit);
        Assert.Contains("leave out --model", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_glucose_page_gives_each_reading_its_slot_time()
    {
        var (exit, output, error) = await RunAsync("decode", "--protocol", "medtronic-glucose-page", "--file", SharedFiles.Fixture("medtronic", "578398", "ReadGlucoseHistory-page-6.data"));
        Assert.True(exit == 0, error);
        var first = JsonDocument.Parse(output).RootElement.EnumerateArray().First(e => e.GetProperty("record").GetProperty("type").GetString() == "SensorGlucose");
        Assert.Equal(250, first.GetProperty("record").GetProperty("mgDl").GetInt32());
        Assert.Equal("2015-04-29T04:57:00", first.GetProperty("time").GetString());
    }

    [Fact]
    public async Task Stick_and_radio_packets_from_the_download_log_decode()
    {
        // download.log line 197: the ReadHistoryData request for page 0 of pump 578398.
        var (exit, output, error) = await RunAsync("decode", "--protocol", "paradigm-command", "--hex", "01 00 a7 01 57 83 98 80 01 00 02 02 00 80 c1 00 00");
        Assert.True(exit == 0, error);
        var command = JsonDocument.Parse(output).RootElement;
        Assert.Equal("578398", command.GetProperty("pumpSerial").GetString());
        Assert.Equal("ReadHistoryData", command.GetProperty("code").GetString());
        Assert.Equal(0, command.GetProperty("page").GetInt32());

        (exit, output, error) = await RunAsync("decode", "--protocol", "carelink-radio", "--direction", "request", "--hex", "04 00 00");
        Assert.True(exit == 0, error);
        Assert.Equal("ProductInfo", JsonDocument.Parse(output).RootElement.GetProperty("opcode").GetString());

        // A well-formed delivery command (0x4C, set temp basal, 0 U/h for 60 min) is no read of a
        // download: the codec names it and refuses it.
        (exit, _, error) = await RunAsync("decode", "--protocol", "paradigm-command", "--hex", "01 00 a7 01 57 83 98 80 03 00 02 02 00 4c bb 00 00 02 ad");
        Assert.Equal(3, exit);
        Assert.Contains("UnknownCommand", error, StringComparison.Ordinal);
    }

    private static Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => InProcessPumpgw.RunAsync(args);
}
