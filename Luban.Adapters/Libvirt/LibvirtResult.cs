namespace Luban.Adapters.Libvirt;

/// <summary>libvirt's error codes (virErrorNumber) that callers branch on; any other code keeps its number.</summary>
public enum LibvirtErrorCode
{
    /// <summary>Not a libvirt code: <c>libvirt.so.0</c> could not be loaded at all.</summary>
    LibraryNotLoaded = -1,
    Ok = 0,
    InternalError = 1,
    NoMemory = 2,
    NoSupport = 3,
    NoConnect = 5,
    InvalidConnection = 6,
    InvalidDomain = 7,
    InvalidArgument = 8,
    OperationFailed = 9,
    XmlError = 27,
    DomainExists = 28,
    OperationDenied = 29,
    XmlDetail = 35,
    SystemError = 38,
    Rpc = 39,
    NoDomain = 42,
    AuthFailed = 45,
    OperationInvalid = 55,
    ConfigUnsupported = 67,
    OperationTimeout = 68,
    ArgumentUnsupported = 74,
    OperationUnsupported = 84,
    XmlInvalidSchema = 92,
}

/// <summary>A libvirt failure: libvirt's error code and domain (virErrorDomain, e.g. 10 = QEMU, 12 = test driver),
/// its message, and the binding operation that failed.</summary>
public sealed record LibvirtError(LibvirtErrorCode Code, int Domain, string Message, string Operation)
{
    public override string ToString() => $"{Operation}: libvirt error {(int)Code} ({Code}, domain {Domain}): {Message}";

    /// <summary>Reads libvirt's thread-local last error. Call right after the failing call, on the same thread.</summary>
    internal static LibvirtError Capture(string operation)
    {
        var code = LibvirtNative.virGetLastErrorCode();
        var domain = LibvirtNative.virGetLastErrorDomain();
        var message = code == 0
            ? "the call failed but libvirt recorded no error"
            : System.Runtime.InteropServices.Marshal.PtrToStringUTF8(LibvirtNative.virGetLastErrorMessage()) ?? "";
        return new LibvirtError((LibvirtErrorCode)code, domain, message, operation);
    }
}

/// <summary>The outcome of a libvirt call: <see cref="Ok"/> with a value, or <see cref="Failed"/> with libvirt's error.</summary>
public abstract record LibvirtResult<T>
{
    private LibvirtResult()
    {
    }

    public sealed record Ok(T Value) : LibvirtResult<T>;

    public sealed record Failed(LibvirtError Error) : LibvirtResult<T>;

    public bool IsOk => this is Ok;

    /// <summary>The error when failed, otherwise null.</summary>
    public LibvirtError? ErrorOrNull => (this as Failed)?.Error;

    /// <summary>For call sites (tests, scripts) where a failure is a bug: throws <see cref="LibvirtException"/>.</summary>
    public T ValueOrThrow() => this switch
    {
        Ok ok => ok.Value,
        Failed failed => throw new LibvirtException(failed.Error),
        _ => throw new InvalidOperationException("unreachable"),
    };

    public LibvirtResult<TOut> Map<TOut>(Func<T, TOut> map) => this switch
    {
        Ok ok => new LibvirtResult<TOut>.Ok(map(ok.Value)),
        Failed failed => new LibvirtResult<TOut>.Failed(failed.Error),
        _ => throw new InvalidOperationException("unreachable"),
    };

    public static implicit operator LibvirtResult<T>(LibvirtError error) => new Failed(error);
}

/// <summary>Thrown only by <see cref="LibvirtResult{T}.ValueOrThrow"/>.</summary>
public sealed class LibvirtException(LibvirtError error) : Exception(error.ToString())
{
    public LibvirtError Error { get; } = error;
}
