using System.Globalization;
using PumpGateway.Devices.Medtronic;
using PumpGateway.TestSupport;

namespace PumpGateway.Devices.Tests.Medtronic;

/// <summary>
/// Replays decocare's trace of a whole download from pump 578398 through a CareLink stick
/// (shared/fixtures/medtronic/578398/download.log, from openaps/decocare analysis/578398/logs/download.log):
/// every write is re-encoded from what it decodes to, every read decodes as the reply to the write
/// before it, and every ReadHistoryData's reads reassemble into the page decocare saved beside the log.
/// </summary>
public sealed class DownloadLogReplayTests
{
    private const string Pump = "578398";
    private const int ExpectedWrites = 268;
    private const int ExpectedReplies = 268;
    private const int ExpectedPages = 12;

    private sealed record UsbTransfer(int Line, bool IsWrite, byte[] Bytes);

    [Fact]
    public void All_268_writes_re_encode_byte_for_byte_all_268_replies_decode_and_12_history_pages_equal_their_fixtures()
    {
        var transfers = ParseLog(File.ReadAllLines(SharedFiles.Fixture("medtronic", Pump, "download.log")));
        var replayed = 0;
        var decoded = 0;
        var pages = new List<uint>();
        var radioReads = 0;
        CareLinkCommand? last = null;
        ParadigmCommand? pending = null;
        var reads = new List<byte[]>();
        int? bytesWaiting = null;

        void Finish()
        {
            if (pending is null)
            {
                return;
            }

            var reply = ParadigmReplyAssembler.Assemble(pending, reads);
            switch (pending.Code)
            {
                case ParadigmCommandCode.ReadHistoryData:
                    var fixture = SharedFiles.Fixture("medtronic", Pump, $"ReadHistoryData-page-{pending.Page}.data");
                    Assert.True(File.Exists(fixture), $"no fixture for page {pending.Page}");
                    Assert.True(File.ReadAllBytes(fixture).AsSpan().SequenceEqual(ParadigmReplies.DecodePage(reply)), $"page {pending.Page} differs from its fixture");
                    pages.Add(pending.Page);
                    break;
                case ParadigmCommandCode.ReadCurPageNumber:
                    Assert.Equal(10u, ParadigmReplies.DecodeCurrentPageNumber(reply));
                    break;
                default:
                    Assert.Fail($"the log has no {pending.Code}");
                    break;
            }

            reads.Clear();
        }

        foreach (var transfer in transfers)
        {
            if (transfer.IsWrite)
            {
                last = CareLinkStick.DecodeCommand(transfer.Bytes);
                Assert.True(transfer.Bytes.AsSpan().SequenceEqual(CareLinkStick.Encode(last)), $"line {transfer.Line}: {last} re-encodes differently");
                replayed++;
                if (last.Opcode == CareLinkOpcode.TransmitPacket)
                {
                    Finish();
                    pending = last.Packet!;
                    Assert.Equal(Pump, pending.PumpSerial);
                }

                if (last.Opcode == CareLinkOpcode.ReadRadio)
                {
                    Assert.True(bytesWaiting == last.ReadSize, $"line {transfer.Line}: ReadRadio({last.ReadSize}) after LinkStatus said {bytesWaiting} bytes wait");
                }

                continue;
            }

            Assert.NotNull(last);
            switch (last.Opcode)
            {
                case CareLinkOpcode.ProductInfo:
                    Assert.Equal("ComLink II", CareLinkStick.DecodeProductInfo(transfer.Bytes).Description);
                    break;
                case CareLinkOpcode.InterfaceStatistics:
                    CareLinkStick.DecodeInterfaceStatistics(transfer.Bytes);
                    break;
                case CareLinkOpcode.SignalStrength:
                    Assert.InRange(CareLinkStick.DecodeSignalStrength(transfer.Bytes), 0xB0, 0xD0);
                    break;
                case CareLinkOpcode.LinkStatus:
                    bytesWaiting = CareLinkStick.DecodeLinkStatus(transfer.Bytes).BytesWaiting;
                    break;
                case CareLinkOpcode.TransmitPacket:
                    CareLinkStick.DecodeAck(transfer.Bytes);
                    break;
                case CareLinkOpcode.ReadRadio:
                    Assert.Equal(last.ReadSize, transfer.Bytes.Length);
                    Assert.Equal(Pump, CareLinkStick.DecodeRadioReply(transfer.Bytes).PumpSerial);
                    reads.Add(transfer.Bytes);
                    radioReads++;
                    break;
            }

            decoded++;
        }

        Finish();
        Assert.True(replayed == ExpectedWrites, $"{replayed} writes replayed, the log has {ExpectedWrites}");
        Assert.True(decoded == ExpectedReplies, $"{decoded} replies decoded, the log has {ExpectedReplies}");
        Assert.True(radioReads == 121, $"{radioReads} ReadRadio replies, the log has 121");
        Assert.True(pages.Count == ExpectedPages, $"{pages.Count} pages reassembled ({string.Join(",", pages)}), the log reads {ExpectedPages}");
        Assert.Equal([0u, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], pages);
    }

    [Theory]
    [InlineData("01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 00 00", 0)] // M-5
    [InlineData("01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 01 9B", 1)] // M-5
    [InlineData("01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 02 AD", 2)] // M-5
    [InlineData("01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 03 36", 3)] // M-5
    [InlineData("01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 04 C1", 4)] // M-5
    [InlineData("01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 05 5A", 5)] // download.log line 4907
    [InlineData("01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 06 6C", 6)] // line 5662
    [InlineData("01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 07 F7", 7)] // line 6416
    [InlineData("01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 08 19", 8)] // line 7170
    [InlineData("01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 09 82", 9)] // line 7924
    [InlineData("01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 0A B4", 10)] // line 8678
    public void Every_history_page_request_of_the_log_is_what_the_encoder_writes(string hex, byte page)
    {
        var writes = ParseLog(File.ReadAllLines(SharedFiles.Fixture("medtronic", Pump, "download.log"))).Where(t => t.IsWrite).Select(t => Hex.Format(t.Bytes));
        Assert.Contains(Hex.Format(Hex.Parse(hex)), writes);
        Assert.Equal(Hex.Parse(hex), ParadigmCommands.Encode(ParadigmCommands.ReadHistoryData(Pump, page)));
    }

    /// <summary>
    /// decocare logs each transfer as "usb.write.len: N" or "usb.read.len: N" + "usb.read.raw:", then
    /// hex-dump lines of eight "0x.." bytes after a 4-digit offset and before an ASCII column; only the
    /// first N byte tokens count, since the ASCII column can itself look like anything.
    /// </summary>
    private static List<UsbTransfer> ParseLog(string[] lines)
    {
        var transfers = new List<UsbTransfer>();
        for (var i = 0; i < lines.Length; i++)
        {
            const string write = "INFO:root:usb.write.len: ";
            const string read = "INFO:root:usb.read.len: ";
            var isWrite = lines[i].StartsWith(write, StringComparison.Ordinal);
            if (!isWrite && !lines[i].StartsWith(read, StringComparison.Ordinal))
            {
                continue;
            }

            var line = i + 1;
            var length = int.Parse(lines[i][(isWrite ? write : read).Length..], CultureInfo.InvariantCulture);
            if (!isWrite)
            {
                Assert.Equal("INFO:root:usb.read.raw:", lines[++i]);
            }

            var bytes = new byte[length];
            for (var filled = 0; filled < length;)
            {
                var dump = lines[++i];
                Assert.Equal(filled, int.Parse(dump[..4], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                var tokens = dump[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                for (var t = 0; t < 8 && filled < length; t++)
                {
                    Assert.StartsWith("0x", tokens[t], StringComparison.Ordinal);
                    bytes[filled++] = byte.Parse(tokens[t].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                }
            }

            transfers.Add(new UsbTransfer(line, isWrite, bytes));
        }

        return transfers;
    }
}
