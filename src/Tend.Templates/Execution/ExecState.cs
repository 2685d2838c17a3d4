using System.Collections;
using System.Diagnostics;
using Tend.Templates.Parsing;

namespace Tend.Templates.Execution;

/// <summary>Per-render mutable state: the writer, the variable stack and the node being evaluated.</summary>
internal sealed class ExecState
{
    public const int MaxExecDepth = 100000;

    // Work units (loop iterations, template and function calls) between two looks at the clock
    // and the cancellation token: often enough to stop within milliseconds, rare enough to cost nothing.
    private const int TicksPerCheck = 128;

    [ThreadStatic]
    private static ExecState? t_current;

    private readonly TemplateLimits _limits;
    private readonly long _deadline;
    private readonly CancellationToken _cancellation;
    private int _countdown = TicksPerCheck;
    private long _memoryLeft;

    public ExecState(TextWriter output, CompiledTree tree, MissingKeyMode missingKey, TemplateLimits limits, CancellationToken cancellation)
    {
        Tree = tree;
        MissingKey = missingKey;
        _limits = limits;
        _cancellation = cancellation;
        _memoryLeft = limits.MaxMemory ?? long.MaxValue;
        _deadline = limits.Timeout is { } t ? Deadline(t) : long.MaxValue;
        Out = limits.MaxOutput is { } max ? new LimitedWriter(output, max, this) : output;
    }

    /// <summary>The render running on this thread (functions and the printer read its budget); <c>null</c> outside a render.</summary>
    public static ExecState? Current => t_current;

    /// <summary>Makes <paramref name="state"/> the current render of this thread; returns the previous one to restore.</summary>
    public static ExecState? Enter(ExecState? state)
    {
        var previous = t_current;
        t_current = state;
        return previous;
    }

    /// <summary>What is left of the memory budget, in characters a formatting buffer may hold.</summary>
    public long PrintLimit => _memoryLeft / 2;

    public TextWriter Out { get; }

    public MissingKeyMode MissingKey { get; }

    public CompiledTree Tree { get; set; }

    /// <summary>The node Go's state.at() would last have recorded; errors report it.</summary>
    public Node? At { get; set; }

    public int Depth { get; set; }

    /// <summary>Whether dot is an element read out of an interface collection (Go reports its type as interface {}).</summary>
    public bool DotWrapped { get; set; }

    public object?[] Vars { get; private set; } = new object?[16];

    public string[] Names { get; private set; } = new string[16];

    public bool[] Wrapped { get; private set; } = new bool[16];

    public int Count { get; set; }

    public int Base { get; set; }

    public void Push(string name, object? value, bool wrapped = false)
    {
        if (Count == Vars.Length)
        {
            int n = Vars.Length * 2;
            var v = Vars;
            var nm = Names;
            var w = Wrapped;
            Array.Resize(ref v, n);
            Array.Resize(ref nm, n);
            Array.Resize(ref w, n);
            Vars = v;
            Names = nm;
            Wrapped = w;
        }
        Vars[Count] = value;
        Names[Count] = name;
        Wrapped[Count] = wrapped;
        Count++;
    }

    private readonly Stack<object?[]>?[] _argPool = new Stack<object?[]>?[9];

    /// <summary>An argument array for a builtin call; calls nest, so the pool is a stack per size.</summary>
    public object?[] RentArgs(int n)
    {
        if (n == 0)
        {
            return [];
        }
        if (n < _argPool.Length && _argPool[n] is { Count: > 0 } stack)
        {
            return stack.Pop();
        }
        return new object?[n];
    }

    public void ReturnArgs(object?[] args)
    {
        int n = args.Length;
        if (n == 0 || n >= _argPool.Length)
        {
            return;
        }
        Array.Clear(args);
        (_argPool[n] ??= new Stack<object?[]>()).Push(args);
    }

    public void Pop(int mark)
    {
        for (int i = mark; i < Count; i++)
        {
            Vars[i] = null;
        }
        Count = mark;
    }

    /// <summary>Index of the variable a reference resolves to: the static slot when it still holds that name, else Go's search from the top.</summary>
    public int Resolve(int slot, string name)
    {
        int i = Base + slot;
        if (slot >= 0 && i < Count && (object)Names[i] == name)
        {
            return i;
        }
        for (int j = Count - 1; j >= Base; j--)
        {
            if (Names[j] == name)
            {
                return j;
            }
        }
        throw Error("undefined variable: " + name);
    }

    /// <summary>One unit of work (a loop iteration, a template or function call): now and then, checks the clock and the token.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Tick()
    {
        if (--_countdown < 0)
        {
            CheckTime();
        }
    }

    private void CheckTime()
    {
        _countdown = TicksPerCheck;
        _cancellation.ThrowIfCancellationRequested();
        if (Stopwatch.GetTimestamp() > _deadline)
        {
            throw LimitError(TemplateLimitKind.Time, $"exceeded the time limit of {LimitText.Duration(_limits.Timeout!.Value)}");
        }
    }

    /// <summary>Counts a function's result against the memory budget; false when it does not fit.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool Charge(object? value)
    {
        long cost = value switch
        {
            string s => s.Length * 2L,
            ICollection c => c.Count * 8L,
            _ => 0,
        };
        _memoryLeft -= cost;
        return _memoryLeft >= 0;
    }

    /// <summary>Reserves <paramref name="bytes"/> before a function allocates them; throws when they do not fit.</summary>
    /// <param name="bytes">What the function is about to build.</param>
    /// <param name="what">The value, for the message (e.g. <c>seq of 2000000000 numbers</c>).</param>
    public void Reserve(long bytes, string what)
    {
        if (bytes > _memoryLeft)
        {
            throw new BudgetExceededException(TemplateLimitKind.Memory, $"{what} exceeds the memory limit of {LimitText.Size(_limits.MaxMemory!.Value)}");
        }
    }

    /// <summary>The error for an exhausted memory budget (a result that did not fit).</summary>
    public TemplateExecutionException MemoryExceeded() =>
        LimitError(TemplateLimitKind.Memory, $"values built by functions exceed the memory limit of {LimitText.Size(_limits.MaxMemory!.Value)}");

    /// <summary>A printer that ran out of room: the memory limit.</summary>
    public string PrintLimitDetail() =>
        $"formatted text exceeds the memory limit of {LimitText.Size(_limits.MaxMemory ?? long.MaxValue)}";

    /// <summary>The output bound was crossed.</summary>
    public TemplateExecutionException OutputExceeded() =>
        LimitError(TemplateLimitKind.Output, $"output exceeds the limit of {LimitText.Size(_limits.MaxOutput!.Value)}");

    public TemplateExecutionException LimitError(TemplateLimitKind kind, string message) => Error(message, kind);

    private static long Deadline(TimeSpan timeout)
    {
        double ticks = timeout.TotalSeconds * Stopwatch.Frequency;
        long now = Stopwatch.GetTimestamp();
        return ticks >= long.MaxValue - now ? long.MaxValue : now + (long)ticks;
    }

    public TemplateExecutionException Error(string message, TemplateLimitKind limit = TemplateLimitKind.None)
    {
        string name = Tree.Name;
        if (At is null)
        {
            return new TemplateExecutionException($"template: {name}: {message}", name, name, 0, 0, message, limit);
        }
        var (line, col) = At.Tree.LineColumn(At.Pos);
        string context = At.ToString();
        string full = $"template: {At.Tree.ParseName}:{line}:{col}: executing {Formatting.GoStrings.Quote(name)} at <{context}>: {message}";
        return new TemplateExecutionException(full, name, At.Tree.ParseName, line, col, message, limit);
    }
}
