using Luban.Protocol.Status;
using Luban.Seed.Dashboard;

namespace Luban.Tests.Dashboard;

public class StatusStreamSpecs
{
    private static readonly StatusDocument Empty =
        new(DateTimeOffset.UnixEpoch, "akka.ssl.tcp://luban@127.0.0.1:1", null, [], [], null, null, [], null, []);

    [Theory]
    [InlineData("client went away")]
    [InlineData("seed stopping")]
    public async Task Stream_should_push_at_once_and_end_quietly_when_cancelled(string why)
    {
        using var requestAborted = new CancellationTokenSource();
        using var stopping = new CancellationTokenSource();
        var assembled = 0;
        // An hour between pushes: anything but the first push within the test would be a bug.
        var stream = StatusStream.ReadAsync(_ =>
        {
            assembled++;
            return Task.FromResult(Empty);
        }, TimeProvider.System, TimeSpan.FromHours(1), requestAborted.Token, stopping.Token);

        await using var items = stream.GetAsyncEnumerator();
        Assert.True(await items.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("\"self\":\"akka.ssl.tcp://luban@127.0.0.1:1\"", items.Current);

        var next = items.MoveNextAsync().AsTask();
        await (why == "seed stopping" ? stopping : requestAborted).CancelAsync();

        Assert.False(await next.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, assembled);
    }
}
