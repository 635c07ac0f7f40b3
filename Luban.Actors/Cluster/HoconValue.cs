using Akka.Configuration;

namespace Luban.Actors.Cluster;

/// <summary>Reads one HOCON value for start-up settings; a value of the wrong form stops start-up naming its key.</summary>
public static class HoconValue
{
    /// <summary>The value at <paramref name="key"/>, or <paramref name="fallback"/> when absent.</summary>
    /// <param name="allowed">What the key accepts, e.g. "allowed: a whole number"; shown with the bad value.</param>
    public static T Read<T>(Config config, string key, T fallback, Func<Config, string, T> read, string allowed)
    {
        if (!config.HasPath(key)) return fallback;
        try
        {
            return read(config, key);
        }
        catch (Exception error) when (error is FormatException or ConfigurationException or InvalidCastException
                                          or OverflowException or ArgumentException)
        {
            var raw = config.GetValue(key)?.ToString() ?? "";
            throw new ConfigurationError(key, $"{key} = '{raw}': {allowed}");
        }
    }
}
