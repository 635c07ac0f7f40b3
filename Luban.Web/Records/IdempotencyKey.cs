using System.Security.Cryptography;
using System.Text;

namespace Luban.Web.Records;

/// <summary>
/// The <c>Idempotency-Key</c> header of <c>POST /api/evaluations</c>: the same key from the same owner within
/// <see cref="Window"/> answers the first result and stores nothing new.
/// </summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 128;
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    /// <summary>1–128 visible ASCII characters (a UUID is typical); null key and true when the header is absent.</summary>
    public static bool TryRead(string? header, out string? key)
    {
        key = null;
        if (header is null)
        {
            return true;
        }
        if (header.Length is 0 or > MaxLength || header.Any(c => c is < '!' or > '~'))
        {
            return false;
        }
        key = header;
        return true;
    }

    /// <summary>
    /// What the key promises the same request for: a hash of the request as understood (re-serialized), so spacing or
    /// member order do not count, a different house does.
    /// </summary>
    public static string BodyHash(string canonicalJson) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJson)));
}
