namespace Fathom.Book;

public enum Side : byte
{
    Bid = 0,
    Ask = 1,
}
