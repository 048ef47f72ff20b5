using PumpGateway.Protocol;

namespace PumpGateway.Devices.Medtronic;

/// <summary>
/// Joins the ReadRadio replies of one pump command into its whole reply: each read must decode (CRCs,
/// lengths, markers), come from the addressed pump, and the end-of-data bit must arrive exactly when the
/// command's reply length is reached. Errors inside a read carry that read's offset and name the read;
/// errors of the whole carry the offset in the joined reply. Pure: the driver feeds it the bytes it read.
/// </summary>
public sealed class ParadigmReplyAssembler
{
    private readonly ParadigmCommand command;
    private readonly byte[] reply;
    private int reads;

    public ParadigmReplyAssembler(ParadigmCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        this.command = command;
        reply = new byte[ParadigmCommands.ExpectedReplyLength(command.Code)];
        IsComplete = reply.Length == 0;
    }

    public int ExpectedLength => reply.Length;

    public int ReceivedLength { get; private set; }

    /// <summary>The end-of-data read has arrived (or the command has no radio reply at all).</summary>
    public bool IsComplete { get; private set; }

    /// <summary>Joins every read of <paramref name="readRadioReplies"/> and returns the whole reply.</summary>
    public static byte[] Assemble(ParadigmCommand command, IEnumerable<byte[]> readRadioReplies)
    {
        ArgumentNullException.ThrowIfNull(readRadioReplies);
        var assembler = new ParadigmReplyAssembler(command);
        foreach (var read in readRadioReplies)
        {
            assembler.Append(read);
        }

        return assembler.ToArray();
    }

    /// <summary>Adds one ReadRadio reply.</summary>
    /// <returns>Whether the reply is now complete.</returns>
    public bool Append(ReadOnlySpan<byte> readRadioReply)
    {
        var index = reads++;
        if (IsComplete)
        {
            throw new ProtocolException(ProtocolErrorKind.BadLength, ReceivedLength, $"read #{index} arrived after the {command.Code} reply was complete at {ReceivedLength} bytes");
        }

        CareLinkRadioReply radio;
        try
        {
            radio = CareLinkStick.DecodeRadioReply(readRadioReply);
        }
        catch (ProtocolException error)
        {
            throw new ProtocolException(error.Kind, error.Offset, $"read #{index} of {command.Code}: {error.Message}");
        }

        if (radio.PumpSerial != command.PumpSerial)
        {
            throw new ProtocolException(ProtocolErrorKind.BadMarker, 9, $"read #{index} comes from pump {radio.PumpSerial}, the command went to {command.PumpSerial}");
        }

        if (ReceivedLength + radio.Data.Length > reply.Length)
        {
            throw new ProtocolException(ProtocolErrorKind.BadLength, reply.Length, $"read #{index} brings {command.Code} to {ReceivedLength + radio.Data.Length} bytes, it is {reply.Length}");
        }

        radio.Data.CopyTo(reply, ReceivedLength);
        ReceivedLength += radio.Data.Length;
        if (radio.EndOfData && ReceivedLength < reply.Length)
        {
            throw new ProtocolException(ProtocolErrorKind.BadLength, ReceivedLength, $"read #{index} ends {command.Code} at {ReceivedLength} bytes, it is {reply.Length}");
        }

        IsComplete = radio.EndOfData;
        return IsComplete;
    }

    /// <summary>The whole reply; a reply still waiting for reads is short.</summary>
    public byte[] ToArray() => IsComplete
        ? (byte[])reply.Clone()
        : throw new ProtocolException(ProtocolErrorKind.BadLength, ReceivedLength, $"the {command.Code} reply stops at {ReceivedLength} of {reply.Length} bytes");
}
