using Luban.Web.Hosting;

try
{
    var app = LubanApp.Build(args);
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
catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or UnauthorizedAccessException)
{
    await Console.Error.WriteLineAsync($"invalid configuration: connection-string: {ex.Message.Split('\n')[0]}");
    return 3;
}
