namespace Tend.Core.Kv;

/// <summary>What a transaction compare looks at.</summary>
public enum KvCompareTarget
{
    /// <summary>The value (string compare; a missing key never equals any value).</summary>
    Value,

    /// <summary>The number of writes since creation; 0 means the key does not exist.</summary>
    Version,

    /// <summary>The revision that created the key; 0 means the key does not exist.</summary>
    CreateRevision,

    /// <summary>The revision that last wrote the key; 0 means the key does not exist.</summary>
    ModRevision,
}

/// <summary>The comparison operator of a transaction compare.</summary>
public enum KvCompareOperator
{
    /// <summary>Equal.</summary>
    Equal,

    /// <summary>Not equal.</summary>
    NotEqual,

    /// <summary>Greater than.</summary>
    Greater,

    /// <summary>Less than.</summary>
    Less,
}

/// <summary>A condition a transaction checks before it applies anything.</summary>
/// <param name="Key">The normalised key.</param>
/// <param name="Target">What to compare.</param>
/// <param name="Operator">How to compare.</param>
/// <param name="Value">The operand for <see cref="KvCompareTarget.Value"/>.</param>
/// <param name="Number">The operand for the numeric targets.</param>
public sealed record KvCompare(string Key, KvCompareTarget Target, KvCompareOperator Operator, string? Value = null, long Number = 0)
{
    /// <summary>The key must not exist.</summary>
    public static KvCompare Missing(string key) => new(key, KvCompareTarget.Version, KvCompareOperator.Equal, Number: 0);

    /// <summary>The key must exist.</summary>
    public static KvCompare Exists(string key) => new(key, KvCompareTarget.Version, KvCompareOperator.Greater, Number: 0);

    /// <summary>The key must exist and hold <paramref name="value"/>.</summary>
    public static KvCompare ValueEquals(string key, string value) => new(key, KvCompareTarget.Value, KvCompareOperator.Equal, value);

    /// <summary>The key must have been last written at <paramref name="revision"/> (0: must not exist).</summary>
    public static KvCompare ModRevisionEquals(string key, long revision) => new(key, KvCompareTarget.ModRevision, KvCompareOperator.Equal, Number: revision);

    /// <summary>Evaluates the compare against a key's current state (for stores that evaluate compares themselves).</summary>
    /// <param name="value">The current value, or <c>null</c> when the key does not exist.</param>
    /// <param name="version">The current version (0 when missing).</param>
    /// <param name="createRevision">The creation revision (0 when missing).</param>
    /// <param name="modRevision">The last-write revision (0 when missing).</param>
    public bool Evaluate(string? value, long version, long createRevision, long modRevision)
    {
        if (Target == KvCompareTarget.Value)
        {
            if (value is null)
            {
                return Operator == KvCompareOperator.NotEqual;
            }

            int c = string.CompareOrdinal(value, Value ?? string.Empty);
            return Check(c);
        }

        long actual = Target switch
        {
            KvCompareTarget.Version => version,
            KvCompareTarget.CreateRevision => createRevision,
            _ => modRevision,
        };
        return Check(actual.CompareTo(Number));
    }

    private bool Check(int comparison) => Operator switch
    {
        KvCompareOperator.Equal => comparison == 0,
        KvCompareOperator.NotEqual => comparison != 0,
        KvCompareOperator.Greater => comparison > 0,
        _ => comparison < 0,
    };
}
