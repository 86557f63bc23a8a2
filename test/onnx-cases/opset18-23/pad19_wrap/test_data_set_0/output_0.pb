ByJ`\x?x.i¿ax
?\x?x.i¿ax
?\x?x.i¿Ô»é¿x/ÀPo¿Ô»é¿x/ÀPo¿Ô»é¿x/À\x?x.i¿ax
?\x?x.i¿ax
?\x?x.i¿