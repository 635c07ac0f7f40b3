namespace Luban.Tests.EndToEnd;

/// <summary>
/// A test on the whole system (real VMs across network namespaces). Part of every <c>./luban test</c> run;
/// <c>LUBAN_E2E=0 ./luban test</c> skips it for a quicker run while working on something else.
/// </summary>
public sealed class EndToEndFactAttribute : FactAttribute
{
    public const string Variable = "LUBAN_E2E";

    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) != "0";

    public EndToEndFactAttribute()
    {
        if (!Enabled) Skip = $"end to end on real VMs: skipped because {Variable}=0";
    }
}
