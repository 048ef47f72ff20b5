using System.Text.Json;
using PumpGateway.TestSupport;

namespace PumpGateway.Cli.Tests;

[Collection("Console")]
public sealed class DecodeCommandTests
{
    [Fact]
    public async Task Decodes_the_egv_fixture_page_to_json()
    {
        var hex = File.ReadAllText(SharedFiles.Fixture("dexcom", "egv-rev2-page136.hex")).Trim();
        var (exit, output, _) = await RunAsync("decode", "--protocol", "dexcom-page", "--hex", hex);
        Assert.Equal(0, exit);
        var page = JsonDocument.Parse(output).RootElement[0];
        Assert.Equal(136, page.GetProperty("pageNumber").GetInt32());
        Assert.Equal(28, page.GetProperty("recordCount").GetInt32());
        var first = page.GetProperty("records")[0];
        Assert.Equal(221, first.GetProperty("glucoseMgDl").GetInt32());
        Assert.Equal("Flat", first.GetProperty("trend").GetString());
        Assert.Equal("Clean", first.GetProperty("noise").GetString());
        Assert.Equal("2014-11-27T21:20:21", first.GetProperty("systemTime").GetString());
    }

    [Fact]
    public async Task Decodes_a_page_file_and_a_request_frame()
    {
        var (exit, output, _) = await RunAsync("decode", "--protocol", "dexcom-page", "--file", SharedFiles.Fixture("dexcom", "meter-rev1-page1.hex"));
        Assert.Equal(0, exit);
        Assert.Equal(113, JsonDocument.Parse(output).RootElement[0].GetProperty("records")[0].GetProperty("meterGlucoseMgDl").GetInt32());

        (exit, output, _) = await RunAsync("decode", "--protocol", "dexcom-frame", "--hex", "01 0C 00 11 04 88 00 00 00 01 32 63");
        Assert.Equal(0, exit);
        var request = JsonDocument.Parse(output).RootElement.GetProperty("request");
        Assert.Equal("ReadDatabasePages", request.GetProperty("command").GetString());
        Assert.Equal(136, request.GetProperty("firstPage").GetInt32());
    }

    [Fact]
    public async Task Bad_bytes_give_a_clear_error_and_a_non_zero_exit()
    {
        var (exit, output, error) = await RunAsync("decode", "--protocol", "dexcom-frame", "--hex", "01 06 00 0A 5E 66");
        Assert.Equal(3, exit);
        Assert.Empty(output);
        Assert.Contains("BadCrc", error, StringComparison.Ordinal);
    }

    private static Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => InProcessPumpgw.RunAsync(args);
}
