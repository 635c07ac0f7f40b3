namespace Luban.Cli.Arguments;

/// <summary>What the operator asked for, one per verb of <c>luban</c>.</summary>
public enum Verb
{
    Status,
    Events,
    VmStart,
    VmStop,
    PolicyShow,
    PolicySet,
    AutoscalePause,
    AutoscaleResume,
    BondStatus,
}

/// <summary>Options every verb takes: where the seed is, how long to wait for it, the output form, and the certificate
/// the CLI shows the seed (its key beside it; the CA in the same folder unless given).</summary>
public sealed record CliOptions(IReadOnlyList<string> Seeds, TimeSpan Timeout, bool Json, string? Certificate = null,
    string? Authority = null);

/// <summary>The outcome of reading the command line: a command to run, help to print, or a usage error.</summary>
public abstract record ParsedCommandLine
{
    private ParsedCommandLine()
    {
    }

    /// <param name="Host">vm start: the host to start on, or null for where the policy would place it.</param>
    /// <param name="Target">vm stop: the VM; policy set: the key.</param>
    /// <param name="Value">policy set: the value.</param>
    public sealed record Run(Verb Verb, CliOptions Options, string? Host = null, string? Target = null,
        string? Value = null, bool Follow = false) : ParsedCommandLine;

    public sealed record Help(string Text) : ParsedCommandLine;

    public sealed record UsageError(string Message) : ParsedCommandLine;
}
