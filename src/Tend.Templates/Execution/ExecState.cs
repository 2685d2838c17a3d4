using System.Text;
using Tend.Templates.Parsing;

namespace Tend.Templates.Execution;

/// <summary>Per-render mutable state: the writer, the variable stack and the node being evaluated.</summary>
internal sealed class ExecState
{
    public const int MaxExecDepth = 100000;

    public ExecState(TextWriter output, CompiledTree tree, MissingKeyMode missingKey)
    {
        Out = output;
        Tree = tree;
        MissingKey = missingKey;
    }

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

    public TemplateExecutionException Error(string message)
    {
        string name = Tree.Name;
        if (At is null)
        {
            return new TemplateExecutionException($"template: {name}: {message}", name, name, 0, 0, message);
        }
        var (line, col) = At.Tree.LineColumn(At.Pos);
        string context = At.ToString();
        string full = $"template: {At.Tree.ParseName}:{line}:{col}: executing {Formatting.GoStrings.Quote(name)} at <{context}>: {message}";
        return new TemplateExecutionException(full, name, At.Tree.ParseName, line, col, message);
    }
}
