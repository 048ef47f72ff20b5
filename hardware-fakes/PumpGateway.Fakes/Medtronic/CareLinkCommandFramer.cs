using PumpGateway.Devices.Medtronic;

namespace PumpGateway.Fakes.Medtronic;

internal enum CareLinkFrameResult
{
    /// <summary>More bytes are needed to know or complete the command.</summary>
    Incomplete,

    /// <summary>The first <c>length</c> bytes are one command (not yet validated: the codec does that).</summary>
    Command,

    /// <summary>The bytes cannot start a command: an unknown opcode, or a TransmitPacket whose length is not one.</summary>
    Invalid,
}

/// <summary>
/// Cuts the host's byte stream into stick commands the way the stick's USB side takes them: the
/// opcode fixes the length (3 bytes, 5 for ReadRadio), and a TransmitPacket says its own in the
/// parameter count of bytes 7-8 (16 bytes plus the parameters).
/// </summary>
internal static class CareLinkCommandFramer
{
    private const int ShortCommand = 3;
    private const int ReadRadioCommand = 5;
    private const int TransmitHeader = 9;
    private const int TransmitOverhead = 16;
    private const byte ParameterCountFlag = 0x80;

    public static CareLinkFrameResult Frame(ReadOnlySpan<byte> input, int maxParameters, out int length)
    {
        length = 0;
        if (input.IsEmpty)
        {
            return CareLinkFrameResult.Incomplete;
        }

        switch ((CareLinkOpcode)input[0])
        {
            case CareLinkOpcode.LinkStatus or CareLinkOpcode.ProductInfo or CareLinkOpcode.InterfaceStatistics or CareLinkOpcode.SignalStrength:
                length = ShortCommand;
                break;
            case CareLinkOpcode.ReadRadio:
                length = ReadRadioCommand;
                break;
            case CareLinkOpcode.TransmitPacket:
                if (input.Length < TransmitHeader)
                {
                    return CareLinkFrameResult.Incomplete;
                }

                var parameters = ((input[7] & ~ParameterCountFlag) << 8) | input[8];
                if ((input[7] & ParameterCountFlag) == 0 || parameters > maxParameters)
                {
                    return CareLinkFrameResult.Invalid;
                }

                length = TransmitOverhead + parameters;
                break;
            default:
                return CareLinkFrameResult.Invalid;
        }

        return input.Length >= length ? CareLinkFrameResult.Command : CareLinkFrameResult.Incomplete;
    }
}
