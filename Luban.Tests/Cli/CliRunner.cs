using Luban.Cli;
using Luban.Protocol.Security;
using Luban.Tests.Support;

namespace Luban.Tests.Cli;

/// <summary>What one run of the CLI printed and returned.</summary>
public sealed record CliResult(int Exit, string Stdout, string Stderr)
{
    public IReadOnlyList<string> StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {Exit}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs the CLI in this process, through the same entry point as the executable, with an environment that
/// holds only the certificate it shows the seed (the tests' operator, unless another is given).</summary>
public static class CliRunner
{
    public static string OperatorCertificate => NodeCredentials.CertificateFile(TestCertificates.Directory, IdentityRole.Operator, "admin");

    public static Task<CliResult> RunAsync(params string[] args) => RunAsAsync(OperatorCertificate, args);

    /// <param name="certificate">the certificate given in LUBAN_CERT; null for none at all.</param>
    public static async Task<CliResult> RunAsAsync(string? certificate, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr, name => name == "LUBAN_CERT" ? certificate : null);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }
}
