BxJPo¿Ô»é¿x/Àax
?\x?x.i¿