using Xunit;

namespace Luban.Tests.EndToEnd;

/// <summary>
/// A test on the whole system (real VMs across network namespaces), run when <c>LUBAN_E2E=1</c>:
/// <c>LUBAN_E2E=1 ./luban test</c>. Not yet part of the default run: on a saturated 2-core machine the two agents,
/// the majority under keep-majority, can down the seed during the figure-15 load (issue 8's note).
/// </summary>
public sealed class EndToEndFactAttribute : FactAttribute
{
    public const string Variable = "LUBAN_E2E";

    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";

    public EndToEndFactAttribute()
    {
        if (!Enabled) Skip = $"end to end on real VMs: set {Variable}=1 to run it";
    }
}
