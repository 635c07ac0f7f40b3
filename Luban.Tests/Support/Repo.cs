namespace Luban.Tests.Support;

/// <summary>Locations in the repository the tests run from.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string HoconDirectory => Path.Combine(AppContext.BaseDirectory, "hocon");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Luban.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("Luban.sln not found above " + AppContext.BaseDirectory);
    }
}
