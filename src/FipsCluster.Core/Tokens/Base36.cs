using System.Numerics;

namespace FipsCluster.Core.Tokens;

/// <summary>
/// Base 36 as swarmkit writes it with Go's big.Int.Text(36): digits then lowercase letters, big-endian,
/// left-padded with '0' to a fixed width. The one implementation in the module.
/// </summary>
public static class Base36
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>Encodes an unsigned big-endian integer, left-padded with '0' to <paramref name="width"/>.</summary>
    public static string Encode(ReadOnlySpan<byte> bigEndianUnsigned, int width)
    {
        var value = new BigInteger(bigEndianUnsigned, isUnsigned: true, isBigEndian: true);
        Span<char> buffer = stackalloc char[Math.Max(width, 64)];
        var pos = buffer.Length;
        while (!value.IsZero)
        {
            value = BigInteger.DivRem(value, 36, out var remainder);
            buffer[--pos] = Alphabet[(int)remainder];
        }
        var digits = buffer.Length - pos;
        if (digits > width)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"The value needs {digits} base-36 digits, more than {width}.");
        }
        return new string('0', width - digits) + new string(buffer[pos..]);
    }

    /// <summary>True when every character is a lowercase base-36 digit.</summary>
    public static bool IsLowercaseDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Decodes lowercase base-36 text (caller validated the characters) into an unsigned big-endian integer.</summary>
    public static BigInteger Decode(ReadOnlySpan<char> text)
    {
        // Accumulate 12 digits (36^12 < 2^63) at a time in a ulong to keep big-integer work small.
        BigInteger value = BigInteger.Zero;
        var i = 0;
        while (i < text.Length)
        {
            var take = Math.Min(12, text.Length - i);
            ulong chunk = 0, scale = 1;
            for (var j = 0; j < take; j++)
            {
                var c = text[i + j];
                chunk = chunk * 36 + (ulong)(c <= '9' ? c - '0' : c - 'a' + 10);
                scale *= 36;
            }
            value = value * scale + chunk;
            i += take;
        }
        return value;
    }
}
