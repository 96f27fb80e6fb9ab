using System.Text;
using System.Text.Json;
using Cache.Async;

namespace Cache.Unit;

/// <summary>The server backends' default serializer: System.Text.Json's web defaults, numbers as written by other services.</summary>
public sealed class JsonCacheSerializerTests
{
    private readonly JsonCacheSerializer _json = new();

    [Fact]
    public void A_record_round_trips_under_web_naming()
    {
        byte[] payload = _json.Serialize(new Profile(42, "Ada"));
        Assert.Equal("""{"id":42,"name":"Ada"}""", Encoding.UTF8.GetString(payload));
        Assert.Equal(new Profile(42, "Ada"), _json.Deserialize<Profile>(payload));
    }

    [Fact]
    public void Numbers_written_as_strings_and_named_floating_point_values_are_read()
    {
        Assert.Equal(5, _json.Deserialize<int>("\"5\""u8));
        Assert.True(double.IsNaN(_json.Deserialize<double>(_json.Serialize(double.NaN))));
        Assert.Equal(double.PositiveInfinity, _json.Deserialize<double>(_json.Serialize(double.PositiveInfinity)));
    }

    [Fact]
    public void Given_options_are_used_as_they_are()
    {
        var strict = new JsonCacheSerializer(new JsonSerializerOptions());
        Assert.Equal("""{"Id":1,"Name":"x"}""", Encoding.UTF8.GetString(strict.Serialize(new Profile(1, "x"))));
        Assert.Throws<ArgumentException>(() => strict.Serialize(double.NaN));
        Assert.Throws<JsonException>(() => strict.Deserialize<int>("\"5\""u8));
    }

    /// <summary>A small record.</summary>
    /// <param name="Id">An id.</param>
    /// <param name="Name">A name.</param>
    public sealed record Profile(int Id, string Name);
}
