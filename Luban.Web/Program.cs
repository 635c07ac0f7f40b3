using Luban.Web.Hosting;
using Luban.Web.Storage;

try
{
    var app = LubanApp.Build(args);
    // One line saying where records live, before anything else can fail.
    await Console.Out.WriteLineAsync(app.Services.GetRequiredService<LubanSettings>().StartupNotice);
    await LubanApp.StartAsync(app);
    await app.WaitForShutdownAsync();
    return 0;
}
catch (InvalidSettingException ex)
{
    // One line naming the key, non-zero exit: the VM supervisor shows it as is.
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}
catch (IOException ex)
{
    // Kestrel could not bind (address in use, no permission).
    await Console.Error.WriteLineAsync($"invalid configuration: urls: {ex.Message.Split('\n')[0]}");
    return 2;
}
catch (DatabaseUnavailableException ex)
{
    await Console.Error.WriteLineAsync($"records database unreachable: {ex.InnerException?.Message.Split('\n')[0]}");
    return 3;
}
catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or UnauthorizedAccessException)
{
    await Console.Error.WriteLineAsync($"invalid configuration: connection-string: {ex.Message.Split('\n')[0]}");
    return 3;
}
